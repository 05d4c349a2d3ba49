using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// The time limit of an images job: IMAGE_TIMEOUT_SECONDS per image of up to 12 MP, proportionally more for a larger
/// one (the tiled search's time grows with the pixels; a 200-job run of 11 MP photos on a loaded machine lost one to a
/// limit that ignored the size).
/// </summary>
[Unit]
public class ImageTimeLimitTests
{
    private static readonly JobsOptions Options = new() { ImageTimeoutSeconds = 60 };

    [Test]
    public void Photos_up_to_12_MP_get_the_setting_each() =>
        Options.ImageTimeLimit([(640, 480), (4000, 3000), null]).Should().Be(TimeSpan.FromSeconds(180));

    [Test]
    public void A_larger_photo_gets_time_in_proportion_to_its_pixels()
    {
        Options.ImageTimeLimit([(8000, 6000)]).Should().Be(TimeSpan.FromSeconds(240), "48 MP is four 12 MP photos");
        Options.ImageTimeLimit([(8000, 6000), (100, 100)]).Should().Be(TimeSpan.FromSeconds(300));
    }

    [Test]
    public void No_image_has_no_time() => Options.ImageTimeLimit([]).Should().Be(TimeSpan.Zero);
}
