using System.Diagnostics;
using FaceBlur.Modules.Processing.Anonymization;
using FaceBlur.Modules.Processing.Images;
using FaceBlur.Modules.Processing.Regions;
using OpenCvSharp;

namespace FaceBlur.Bench.Images;

/// <summary>
/// <c>bench images</c>: end-to-end time (decode, detect, anonymize, encode) of one photo at a time, median of repeated
/// runs with the detection time alone and the CPU time of the process (all its threads: on a busy machine, the CPU time
/// over the cores is what the run would take alone), then throughput with one worker per core, as the service's workers
/// run. Each case also shows what its detection searched (per tiled level: scale, tiles searched of all, passes).
/// With <c>noDetect</c>, the timed runs are the "Apply" of a review: the regions one detecting run exported are sent
/// back with detect=false, so no detector runs (the case's name gains <c>_no_detect</c>).
/// </summary>
internal static class ImageBenchmark
{
    public static int Run(
        ImageProcessor processor, IReadOnlyList<string> sourceImages, string crowdImage, int repeats, string? only, bool noDetect, Func<string> lastSearch, TextWriter output)
    {
        // Composed from the dlib photos (few, large faces), and a crowd photo of a phone's size (hundreds of small faces).
        var cases = new (string Name, Func<byte[]> Jpeg)[]
        {
            ("1920x1080", () => BenchImages.ComposeJpeg(sourceImages, 1920, 1080, 2, 2)),
            ("4032x3024", () => BenchImages.ComposeJpeg(sourceImages, 4032, 3024, 3, 3)),
            ("crowd_3744x2912", () => File.ReadAllBytes(crowdImage)),
        };
        var summary = new List<string>();
        foreach (var (name, compose) in cases.Where(c => only is null || c.Name == only))
        {
            var jpeg = compose();
            _ = lastSearch(); // forget the previous case's search

            // Warm-up: detector instances for this size, JIT, allocator.
            ProcessedImage detected = null!;
            for (var i = 0; i < 2; i++)
            {
                detected = processor.Process(jpeg, AnonymizeOptions.Default).Value!;
            }

            var faces = detected.Faces.Count;
            var request = noDetect ? new RegionRequest(false, detected.Regions) : RegionRequest.DetectOnly;
            var label = noDetect ? name + "_no_detect" : name;
            _ = lastSearch();

            var times = new List<double>();
            var detection = new List<double>();
            var cpu = new List<double>();
            using var process = Process.GetCurrentProcess();
            for (var i = 0; i < repeats; i++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                var result = processor.Process(jpeg, AnonymizeOptions.Default, request, CancellationToken.None);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                detection.Add(result.Value!.DetectionTime.TotalMilliseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }

            var search = noDetect ? "none (detect=false)" : lastSearch();
            var cores = Environment.ProcessorCount;
            var batch = Math.Max(cores * 4, 8);
            var throughputStarted = Stopwatch.GetTimestamp();
            Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ => processor.Process(jpeg, AnonymizeOptions.Default, request, CancellationToken.None));
            var seconds = Stopwatch.GetElapsedTime(throughputStarted).TotalSeconds;

            var median = Median(times);
            var detectMedian = Median(detection);
            output.WriteLine(
                $"{label}: jpeg={jpeg.Length / 1024} KiB faces={faces} median_ms={median:0.0} min_ms={times.Min():0.0} " +
                $"max_ms={times.Max():0.0} detect_median_ms={detectMedian:0.0} cpu_median_ms={Median(cpu):0.0} runs={repeats} " +
                $"throughput={batch / seconds:0.00} images/s ({cores} workers, {batch} images) tiles: {search}");
            summary.Add($"median_ms_{label}={median:0.0} detect_median_ms_{label}={detectMedian:0.0} images_per_s_{label}={batch / seconds:0.00}");
        }

        output.WriteLine($"opencv_threads={Cv2.GetNumThreads()} cores={Environment.ProcessorCount}");
        output.WriteLine(string.Join(' ', summary));
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
