using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceBlur.Modules.Processing.Video;

/// <summary>
/// <see cref="FrameTimes"/> as JSON small enough to travel in a queue message: a 5-minute 60 fps video has 18,000 frame
/// times. They are written as the input's ticks: the gap to the previous frame as a variable-length integer, deflated,
/// in base64 (a constant rate is a few dozen bytes, a phone's jittery rate about a byte per frame):
/// <c>{"time_base":"1/90000","ticks":"...","frames":N,"last_duration":3000,"discarded":0}</c>, or
/// <c>{"frames_per_second":25}</c> for evenly spaced frames. Reading rebuilds the times through the same rules as the probe.
/// </summary>
public sealed class FrameTimesJsonConverter : JsonConverter<FrameTimes>
{
    /// <summary>Frames a message may carry: ten times the longest video at the highest frame rate the probe accepts.</summary>
    private const int MaxFrames = 10 * 86_400 * 240;

    public override FrameTimes Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Frame times must be an object.");
        }

        string? timeBase = null, ticks = null;
        long frames = 0, lastDuration = 0, discarded = 0;
        double? framesPerSecond = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "time_base":
                    timeBase = reader.GetString();
                    break;
                case "ticks":
                    ticks = reader.GetString();
                    break;
                case "frames":
                    frames = reader.GetInt64();
                    break;
                case "last_duration":
                    lastDuration = reader.GetInt64();
                    break;
                case "discarded":
                    discarded = reader.GetInt64();
                    break;
                case "frames_per_second":
                    framesPerSecond = reader.GetDouble();
                    break;
                default:
                    throw new JsonException($"Unknown frame times field '{name}'.");
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("Frame times must be an object.");
        }

        if (framesPerSecond is > 0 and var even && timeBase is null)
        {
            return FrameTimes.Even(even);
        }

        if (timeBase?.Split('/') is not [var n, var d]
            || !long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var numerator)
            || !long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var denominator)
            || ticks is null || frames is < 2 or > MaxFrames || discarded is < 0 or > int.MaxValue)
        {
            throw new JsonException("Frame times need a time base, ticks and a frame count, or a frame rate.");
        }

        var times = FrameTimes.FromTicks(Decode(ticks, (int)frames), numerator, denominator, lastDuration, (int)discarded, 0);
        return times.Count == frames ? times : throw new JsonException("Frame times with an unusable time base.");
    }

    public override void Write(Utf8JsonWriter writer, FrameTimes value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        if (value.Ticks.Length == 0)
        {
            writer.WriteNumber("frames_per_second", value.EvenFramesPerSecond);
        }
        else
        {
            writer.WriteString("time_base", string.Create(CultureInfo.InvariantCulture, $"{value.TimeBase.Numerator}/{value.TimeBase.Denominator}"));
            writer.WriteString("ticks", Encode(value.Ticks));
            writer.WriteNumber("frames", value.Ticks.Length);
            writer.WriteNumber("last_duration", value.LastDurationTicks);
            writer.WriteNumber("discarded", value.Discarded);
        }

        writer.WriteEndObject();
    }

    /// <summary>The gaps between sorted ticks (the first is 0) as LEB128 integers, deflated, in base64.</summary>
    private static string Encode(long[] ticks)
    {
        using var packed = new MemoryStream();
        using (var deflate = new DeflateStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var i = 1; i < ticks.Length; i++)
            {
                var gap = (ulong)(ticks[i] - ticks[i - 1]);
                while (gap >= 0x80)
                {
                    deflate.WriteByte((byte)(gap | 0x80));
                    gap >>= 7;
                }

                deflate.WriteByte((byte)gap);
            }
        }

        return Convert.ToBase64String(packed.GetBuffer(), 0, (int)packed.Length);
    }

    private static long[] Decode(string text, int frames)
    {
        byte[] packed;
        try
        {
            packed = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new JsonException("Frame ticks are not base64.", e);
        }

        var ticks = new long[frames];
        using var deflate = new DeflateStream(new MemoryStream(packed), CompressionMode.Decompress);
        try
        {
            for (var i = 1; i < frames; i++)
            {
                ulong gap = 0;
                for (var shift = 0; ; shift += 7)
                {
                    var b = deflate.ReadByte();
                    if (b < 0 || shift > 56)
                    {
                        throw new JsonException("Frame ticks end early or overflow.");
                    }

                    gap |= (ulong)(b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        break;
                    }
                }

                ticks[i] = checked(ticks[i - 1] + (long)gap);
            }
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            throw new JsonException("Frame ticks are damaged.", e);
        }

        return ticks;
    }
}
