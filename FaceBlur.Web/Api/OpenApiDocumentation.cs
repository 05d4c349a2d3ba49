using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace FaceBlur.Web.Api;

/// <summary>Marks the route whose 200 answer carries the regions schema in <c>data</c>.</summary>
public sealed record RegionsResponseDoc;

/// <summary>Marks the routes that answer 202 with a job's progress while it is not done.</summary>
public sealed record PendingResponseDoc;

/// <summary>What an upload route's multipart form holds, for the API document: its file field and whether it takes several.</summary>
public sealed record MultipartFormDoc(string FileField, bool ManyFiles, string Description);

/// <summary>
/// The API document a client can be generated from: every route tagged by feature (Upload, Results, Service, Stats),
/// named (operation ids), the upload forms described field by field (the routes read the multipart body themselves, so
/// the framework cannot infer it), every error status with its error codes and an example envelope, and the regions
/// schema as a component. Served at /openapi/v1.json and shown by the API reference page.
/// </summary>
public static class OpenApiDocumentation
{
    public const string RegionsSchema = "Regions";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "FaceBlur API";
                document.Info.Description = "Hides faces in photos and videos. Upload, poll, download; read and correct what was hidden (regions); cancel.";
                document.Components ??= new OpenApiComponents();
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                document.Components.Schemas[RegionsSchema] = OpenApiRegions.Schema();
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<MultipartFormDoc>().FirstOrDefault() is { } form)
                {
                    operation.RequestBody = UploadForm(form);
                    Example(operation, "202", new JsonObject
                    {
                        ["status"] = "queued",
                        ["message"] = "1 image(s) queued; poll /results/0123456789abcdef0123456789abcdef.",
                        ["data"] = new JsonObject { ["task_id"] = "0123456789abcdef0123456789abcdef", ["kind"] = form.ManyFiles ? "images" : "video", ["files"] = form.ManyFiles ? 1 : null },
                    });
                }

                if (metadata.OfType<PendingResponseDoc>().Any())
                {
                    Example(operation, "202", new JsonObject
                    {
                        ["status"] = "processing",
                        ["message"] = "The job is being processed.",
                        ["data"] = new JsonObject { ["progress"] = 0.42, ["stage"] = "detecting" },
                    });
                }

                if (metadata.OfType<RegionsResponseDoc>().Any() && operation.Responses?["200"] is OpenApiResponse regions)
                {
                    regions.Content = RegionsEnvelope();
                }

                DescribeErrors(operation);
                return Task.CompletedTask;
            });
        });

    /// <summary>The multipart form of an upload route, field by field, with the regions field as JSON.</summary>
    private static OpenApiRequestBody UploadForm(MultipartFormDoc form)
    {
        var file = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            [form.FileField] = form.ManyFiles ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = file, MinItems = 1, Description = "The photos (1..MAX_UPLOAD_FILES)." } : file,
            ["mode"] = Enumeration("How faces are hidden.", "blur", "blur", "pixelate", "solid"),
            ["shape"] = Enumeration("The shape of the hidden area.", "ellipse", "ellipse", "rect"),
            ["padding"] = new OpenApiSchema { Type = JsonSchemaType.Number, Minimum = "0", Maximum = "1", Default = 0.2, Description = "Share of the face box added on each side." },
            ["strength"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "100", Default = 50, Description = "Blur or pixel size: 1 weakest, 100 strongest." },
            ["detect"] = Enumeration("false: no detector runs, exactly the given regions marked hidden are hidden.", "true", "true", "false"),
            ["regions"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                ContentMediaType = "application/json",
                Description = "Regions to hide or keep, as JSON in the regions schema (an export of GET /results/{task_id}/regions, edited or not); at most 5 MB and 200,000 boxes.",
            },
        };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = form.Description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Required = new HashSet<string> { form.FileField } },
                    Encoding = new Dictionary<string, OpenApiEncoding> { ["regions"] = new() { ContentType = "application/json" } },
                },
            },
        };
    }

    private static void Example(OpenApiOperation operation, string status, JsonObject example)
    {
        foreach (var media in operation.Responses?.GetValueOrDefault(status)?.Content?.Values ?? [])
        {
            media.Example = example;
        }
    }

    /// <summary><c>{"status":"ok","message":...,"data":&lt;regions&gt;}</c>.</summary>
    private static Dictionary<string, OpenApiMediaType> RegionsEnvelope() => new()
    {
        ["application/json"] = new()
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["ok"] },
                    ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["data"] = new OpenApiSchemaReference(RegionsSchema),
                },
                Required = new HashSet<string> { "status", "message", "data" },
            },
        },
    };

    private static OpenApiSchema Enumeration(string description, string @default, params string[] values) => new()
    {
        Type = JsonSchemaType.String,
        Description = description,
        Default = @default,
        Enum = [.. values.Select(v => (JsonNode)v)],
    };

    /// <summary>Each error response names the codes it can carry, with an example envelope of the first.</summary>
    private static void DescribeErrors(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (!int.TryParse(status, out var code) || code < 400 || response is not OpenApiResponse error
                || error.Content?.Values.Any(m => m.Schema is OpenApiSchemaReference { Reference.Id: nameof(ErrorEnvelope) }) != true)
            {
                continue;
            }

            // Unknown routes and wrong methods are answered by the app, not by an operation.
            var codes = ApiErrors.CodesFor(code).Except([ApiErrors.NotFound, ApiErrors.MethodNotAllowed]).ToList();
            if (codes.Count == 0)
            {
                continue;
            }

            error.Description = $"Error envelope; code: {string.Join(" | ", codes)}.";
            foreach (var media in error.Content?.Values ?? [])
            {
                media.Example = new JsonObject
                {
                    ["status"] = "error",
                    ["code"] = codes[0],
                    ["message"] = "What went wrong, in words for people.",
                    ["details"] = new JsonObject(),
                };
            }
        }
    }
}
