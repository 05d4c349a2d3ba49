using FaceBlur.Modules.Processing;
using FaceBlur.Web.Hosting;

try
{
    var app = FaceBlurApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupError.Describe(ex) is { } line)
{
    // A setting that cannot be used stops the app with one clear line naming it, not a stack trace.
    await Console.Error.WriteLineAsync($"FaceBlur cannot start: {line}");
    return 1;
}
