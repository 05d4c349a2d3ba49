namespace FaceBlur.Web.Cleanup;

public static class CleanupExtensions
{
    public static IServiceCollection AddCleanup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CleanupOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CleanupService>();
        services.AddHostedService(sp => sp.GetRequiredService<CleanupService>());
        return services;
    }
}
