namespace FaceBlur.Web.Spa;

/// <summary>Until the page is built into wwwroot, <c>/</c> answers a small page that says so and links the API.</summary>
public static class PlaceholderPage
{
    public static WebApplication MapPlaceholderPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            app.MapGet("/", () => TypedResults.Content(Html, "text/html; charset=utf-8")).ExcludeFromDescription();
        }

        return app;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>FaceBlur</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
        <h1>FaceBlur</h1>
        <p>The service is running; the web page is not built yet. Use the API: <a href="/api-reference">API reference</a>,
        <a href="/health">/health</a>, <a href="/limits">/limits</a>.</p>
        </body>
        </html>
        """;
}
