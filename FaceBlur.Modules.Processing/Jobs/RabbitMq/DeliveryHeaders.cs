using System.Text;
using RabbitMQ.Client;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>
/// What the broker's headers say about a delivery.
/// </summary>
/// <remarks>
/// Delivery counting (observed on RabbitMQ 3.10.8): the quorum queue counts returns of a message (a nack with requeue,
/// or the channel or connection closing while the message was unacknowledged) and sends that count as the
/// <c>x-delivery-count</c> header on every delivery (0 the first time), so <see cref="JobDelivery.DeliveryCount"/> is
/// the header plus one. It dead-letters a message when a return would make the count exceed <c>x-delivery-limit</c>,
/// which is therefore declared as <c>DeliveryLimit - 1</c> (<see cref="RabbitMqTopology"/>): at most
/// <c>DeliveryLimit</c> deliveries. An interrupted delivery (consumer stopped, broker or network gone) counts as one
/// too.
/// </remarks>
internal static class DeliveryHeaders
{
    /// <summary>
    /// The broker's <c>x-delivery-count</c> (returns so far; RabbitMQ 3.10 sends 0 on a first delivery) plus one, or 1
    /// when the header is missing.
    /// </summary>
    public static int DeliveryCountOf(IReadOnlyBasicProperties properties)
    {
        if (properties.Headers is { } headers
            && headers.TryGetValue("x-delivery-count", out var raw)
            && ReadInteger(raw) is { } returns
            && returns >= 0)
        {
            return (int)Math.Min(returns + 1, int.MaxValue);
        }

        return 1;
    }

    /// <summary>Why a message was dead-lettered (<c>x-first-death-reason</c>, e.g. <c>delivery_limit</c>).</summary>
    /// <remarks>
    /// Not how many deliveries it had: RabbitMQ 3.10 does not carry the job queue's count over (the dead-lettered copy's
    /// <c>x-death</c> count is the times it was dead-lettered, its <c>x-delivery-count</c> belongs to the dead-letter
    /// queue). A message dead-lettered for reaching the limit had exactly <c>DeliveryLimit</c> deliveries.
    /// </remarks>
    public static string DeadLetterReasonOf(IReadOnlyBasicProperties properties) =>
        properties.Headers is { } headers && headers.TryGetValue("x-first-death-reason", out var raw)
            ? ReadString(raw) ?? "unknown"
            : "unknown";

    private static long? ReadInteger(object? value) => value switch
    {
        byte v => v,
        sbyte v => v,
        short v => v,
        ushort v => v,
        int v => v,
        uint v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    private static string? ReadString(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    };
}
