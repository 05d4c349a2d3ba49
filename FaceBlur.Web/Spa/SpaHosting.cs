namespace FaceBlur.Web.Spa;

/// <summary>
/// Serves the web page built from ClientApp: its files from the web root (hashed assets cached for a year, the rest
/// revalidated), and <c>index.html</c> for a browser's navigation to any path no endpoint answers (client routes).
/// API routes, unknown API paths (404 envelope) and 405s are untouched.
/// </summary>
public static class SpaHosting
{
    /// <summary>Where the ClientApp build is copied beside the app (build and publish output alike).</summary>
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Vite's content-hashed output folder: a file there never changes under the same name.</summary>
    public const string HashedAssetsPath = "/assets/";

    public static WebApplication UseSpaStaticFiles(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = app.Environment.WebRootFileProvider;
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = context => SetCacheHeaders(context.Context) });
        app.Use(async (context, next) =>
        {
            if (IsClientRoute(context) && files.GetFileInfo("index.html") is { Exists: true } index)
            {
                SetCacheHeaders(context);
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.SendFileAsync(index, context.RequestAborted);
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>A GET/HEAD from a browser (accepts HTML) for a path without a file extension that no endpoint matched.</summary>
    internal static bool IsClientRoute(HttpContext context) =>
        context.GetEndpoint() is null
        && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && !Path.HasExtension(context.Request.Path.Value)
        && context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static void SetCacheHeaders(HttpContext context)
    {
        context.Response.Headers.CacheControl = context.Request.Path.StartsWithSegments(HashedAssetsPath.TrimEnd('/'), StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
    }
}
