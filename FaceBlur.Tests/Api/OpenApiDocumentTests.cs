using System.Net;
using System.Text.Json.Nodes;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Api;

/// <summary>
/// The API document is one a client can be generated from: operations tagged by feature and named, the upload forms
/// typed field by field, every error status with its codes, the regions schema as a component, examples.
/// </summary>
[Unit]
public class OpenApiDocumentTests
{
    private static JsonObject _document = null!;

    [OneTimeSetUp]
    public static async Task LoadAsync()
    {
        using var factory = new FaceBlurFactory();
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        _document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static JsonObject Operation(string path, string method) => _document["paths"]![path]![method]!.AsObject();

    [TestCase("/blur", "post", "BlurImages", "Upload")]
    [TestCase("/blur/video", "post", "BlurVideo", "Upload")]
    [TestCase("/results/{task_id}", "get", "GetResult", "Results")]
    [TestCase("/results/{task_id}/regions", "get", "GetRegions", "Results")]
    [TestCase("/results/{task_id}", "delete", "CancelJob", "Results")]
    [TestCase("/health", "get", "GetHealth", "Service")]
    [TestCase("/queue", "get", "GetQueue", "Service")]
    [TestCase("/limits", "get", "GetLimits", "Service")]
    [TestCase("/stats", "get", "GetStats", "Stats")]
    public void Every_operation_is_named_and_tagged_by_feature(string path, string method, string operationId, string tag)
    {
        var operation = Operation(path, method);

        operation["operationId"]!.GetValue<string>().Should().Be(operationId);
        operation["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal(tag);
        operation["summary"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
    }

    [TestCase("/blur", "files", true)]
    [TestCase("/blur/video", "file", false)]
    public void The_upload_forms_are_typed_field_by_field(string path, string fileField, bool many)
    {
        var form = Operation(path, "post")["requestBody"]!["content"]!["multipart/form-data"]!.AsObject();
        var schema = form["schema"]!.AsObject();
        var properties = schema["properties"]!.AsObject();

        schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal(fileField);
        var file = many ? properties[fileField]!["items"]! : properties[fileField]!;
        file["format"]!.GetValue<string>().Should().Be("binary");
        Enum(properties["mode"]!).Should().Equal("blur", "pixelate", "solid");
        Enum(properties["shape"]!).Should().Equal("ellipse", "rect");
        Enum(properties["detect"]!).Should().Equal("true", "false");
        properties["padding"]!["minimum"]!.GetValue<double>().Should().Be(0);
        properties["padding"]!["maximum"]!.GetValue<double>().Should().Be(1);
        properties["strength"]!["minimum"]!.GetValue<int>().Should().Be(1);
        properties["strength"]!["maximum"]!.GetValue<int>().Should().Be(100);
        properties["regions"]!["contentMediaType"]!.GetValue<string>().Should().Be("application/json");
        form["encoding"]!["regions"]!["contentType"]!.GetValue<string>().Should().Be("application/json");
        Operation(path, "post")["responses"]!["202"]!["content"]!["application/json"]!["example"]!["status"]!.GetValue<string>().Should().Be("queued");
    }

    [TestCase("/blur", "post", "400", "validation_error | media_too_long | media_too_large")]
    [TestCase("/blur", "post", "413", "payload_too_large")]
    [TestCase("/blur", "post", "415", "unsupported_media_type")]
    [TestCase("/blur", "post", "429", "rate_limited")]
    [TestCase("/blur/video", "post", "503", "service_unavailable")]
    [TestCase("/results/{task_id}", "get", "404", "task_not_found")]
    [TestCase("/results/{task_id}", "get", "410", "result_gone")]
    [TestCase("/results/{task_id}", "get", "422", "task_failed")]
    [TestCase("/results/{task_id}", "delete", "404", "task_not_found")]
    [TestCase("/results/{task_id}/regions", "get", "422", "task_failed")]
    public void Every_error_answer_is_the_envelope_with_its_codes(string path, string method, string status, string codes)
    {
        var response = Operation(path, method)["responses"]![status]!.AsObject();

        response["description"]!.GetValue<string>().Should().Be($"Error envelope; code: {codes}.");
        var media = response["content"]!["application/json"]!;
        media["schema"]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/ErrorEnvelope");
        media["example"]!["code"]!.GetValue<string>().Should().Be(codes.Split(" | ")[0]);
    }

    [Test]
    public void The_regions_schema_is_a_component_the_regions_answer_uses()
    {
        var regions = _document["components"]!["schemas"]!["Regions"]!.AsObject();
        var answer = Operation("/results/{task_id}/regions", "get")["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;

        answer["properties"]!["data"]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/Regions");
        regions["oneOf"]!.AsArray().Should().HaveCount(2);
        var images = regions["oneOf"]![0]!;
        var region = images["properties"]!["files"]!["items"]!["properties"]!["regions"]!["items"]!;
        region["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(["x", "y", "w", "h"]);
        Enum(region["properties"]!["source"]!).Should().Equal("detector", "given");
        regions["examples"]!.AsArray().Should().HaveCount(2);
        Operation("/results/{task_id}", "get")["responses"]!["202"]!["content"]!["application/json"]!["example"]!["data"]!["stage"]!.GetValue<string>().Should().Be("detecting");
    }

    private static IEnumerable<string> Enum(JsonNode schema) => schema["enum"]!.AsArray().Select(v => v!.GetValue<string>());
}
