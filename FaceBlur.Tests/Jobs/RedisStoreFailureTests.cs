using FaceBlur.Modules.Processing.Jobs;
using FaceBlur.Tests.Support;
using StackExchange.Redis;

namespace FaceBlur.Tests.Jobs;

/// <summary>
/// What the Redis store counts as "the store cannot be reached" (503, the job kept on the queue) rather than a failure
/// of the job. CI caught StackExchange.Redis ending a completion on a frozen Redis with an InvalidOperationException
/// from its connection's pipe; the job was handed back to the queue and used up a delivery.
/// </summary>
[Unit]
public class RedisStoreFailureTests
{
    private static IEnumerable<Exception> ClientFailures()
    {
        yield return new RedisConnectionException(ConnectionFailureType.SocketFailure, "down");
        yield return new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent);
        yield return new TimeoutException();
        yield return new TaskCanceledException("cancelled by the client library");
        yield return new InvalidOperationException("Reading is not allowed after reader was completed.");
        yield return new ObjectDisposedException("ConnectionMultiplexer");
        yield return new IOException("connection reset");
    }

    [TestCaseSource(nameof(ClientFailures))]
    public void What_the_client_throws_when_a_command_does_not_complete_is_the_store_unavailable(Exception failure) =>
        RedisJobStore.IsStoreFailure(failure).Should().BeTrue();

    [Test]
    public void A_cancellation_the_caller_asked_for_and_an_argument_error_are_not()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        RedisJobStore.IsStoreFailure(new OperationCanceledException(cancelled.Token), cancelled.Token).Should().BeFalse();
        RedisJobStore.IsStoreFailure(new ArgumentException("a bug of ours")).Should().BeFalse();
    }
}
