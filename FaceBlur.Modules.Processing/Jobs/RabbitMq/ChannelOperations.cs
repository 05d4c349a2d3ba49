using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FaceBlur.Modules.Processing.Jobs.RabbitMq;

/// <summary>Channel calls whose failure only means the channel is already gone.</summary>
internal static class ChannelOperations
{
    /// <summary>Closes (when still open) and disposes a channel, ignoring that it closed already.</summary>
    public static async Task CloseQuietlyAsync(IChannel channel, TimeProvider time)
    {
        try
        {
            if (channel.IsOpen)
            {
                using var deadline = new Deadline(RabbitMqConnector.OperationTimeout, time, CancellationToken.None);
                await channel.CloseAsync(deadline.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Already closing or closed: nothing left to release but the object.
        }

        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Same as above.
        }
    }

    /// <summary>Acknowledges or returns (requeue) a delivery; the error when its channel closed first, else null.</summary>
    public static async Task<string?> SettleAsync(IChannel channel, ulong deliveryTag, bool ack)
    {
        try
        {
            if (ack)
            {
                await channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None);
            }
            else
            {
                await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }

            return null;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            return ex.Message;
        }
    }
}
