using System.Text;
using System.Text.Json;
using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;

namespace FaceBlur.Tests.Jobs;

[Unit]
public sealed class JobMessageSerializerTests
{
    [Test]
    public void Round_trip_keeps_every_field()
    {
        var message = TestMessages.Create(3);

        var back = JobMessageSerializer.Deserialize(JobMessageSerializer.Serialize(message));

        back.Should().BeEquivalentTo(message);
        back.EnqueuedAt.Offset.Should().Be(TimeSpan.FromHours(2));
    }

    [Test]
    public void Json_uses_the_attribute_names_and_string_enums()
    {
        var message = TestMessages.Create(0);

        using var json = JsonDocument.Parse(JobMessageSerializer.Serialize(message));

        var root = json.RootElement;
        root.GetProperty("task_id").GetString().Should().Be(message.TaskId);
        root.GetProperty("kind").GetString().Should().Be("video");
        root.GetProperty("inputs")[1].GetProperty("stored_path").GetString().Should().Be("uploads/0/b é.jpg");
        root.GetProperty("inputs")[1].GetProperty("display_name").GetString().Should().Be("b é.jpg");
        root.GetProperty("options").GetProperty("mode").GetString().Should().Be("pixelate");
        root.GetProperty("options").GetProperty("shape").GetString().Should().Be("rect");
        root.GetProperty("options").GetProperty("strength").GetInt32().Should().Be(80);
        root.GetProperty("enqueued_at").GetDateTimeOffset().Should().Be(message.EnqueuedAt);
    }

    [TestCase("")]
    [TestCase("not json at all")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("{}")]
    [TestCase("{\"task_id\":\"t1\"}")]
    [TestCase("{\"task_id\":\"t1\",\"kind\":\"audio\",\"inputs\":[],\"options\":{},\"enqueued_at\":\"2026-01-01T00:00:00Z\"}")]
    [TestCase("{\"task_id\":\"\",\"kind\":\"video\",\"inputs\":[],\"options\":{},\"enqueued_at\":\"2026-01-01T00:00:00Z\"}")]
    [TestCase("{\"task_id\":\"t1\",\"kind\":\"video\",\"inputs\":null,\"options\":{},\"enqueued_at\":\"2026-01-01T00:00:00Z\"}")]
    [TestCase("{\"task_id\":\"t1\",\"kind\":\"video\",\"inputs\":[null],\"options\":{},\"enqueued_at\":\"2026-01-01T00:00:00Z\"}")]
    [TestCase("{\"task_id\":\"t1\",\"kind\":\"video\",\"inputs\":[],\"options\":null,\"enqueued_at\":\"2026-01-01T00:00:00Z\"}")]
    [TestCase("{\"task_id\":\"t1\",\"kind\":\"video\",\"inputs\":[],\"options\":{},\"enqueued_at\":\"yesterday\"}")]
    public void Garbage_throws_InvalidJobMessageException(string text)
    {
        var act = () => JobMessageSerializer.Deserialize(Encoding.UTF8.GetBytes(text));

        act.Should().Throw<InvalidJobMessageException>();
    }

    [Test]
    public void Invalid_utf8_throws_InvalidJobMessageException()
    {
        var act = () => JobMessageSerializer.Deserialize(new byte[] { 0xff, 0xfe, 0x00, 0x7b });

        act.Should().Throw<InvalidJobMessageException>();
    }
}
