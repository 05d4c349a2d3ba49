using FaceBlur.Modules.Processing;
using FaceBlur.Modules.Stats;

namespace FaceBlur.Web.Hosting;

/// <summary>The composition root, read as a table of contents: the host's defaults, then each module's Add and Map.</summary>
public static class FaceBlurApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = HostDefaults.CreateBuilder(args, configure);

        // Stats before Processing, so the stats database is migrated before the first job can end.
        builder.Services.AddStats(builder.Configuration);
        builder.Services.AddProcessing(builder.Configuration);
        builder.Services.AddWebApi(builder.Configuration);

        var app = builder.Build();
        app.UseWebApi();
        app.MapStats();
        app.MapWebApi();
        return app;
    }
}
