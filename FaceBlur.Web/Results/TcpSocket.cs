using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FaceBlur.Web.Results;

/// <summary>
/// A duplicate of a connection's socket descriptor (Linux), to read its TCP_INFO for as long as this object lives:
/// Kestrel closes its own descriptor as soon as the client closes, often before the last acknowledgement was read;
/// the duplicate keeps the kernel's socket (and its tallies) readable until it is disposed. Only getsockopt and
/// setsockopt are called on it, never shutdown: it must not change what the connection does.
/// </summary>
internal sealed partial class TcpSocket : IDisposable
{
    // getsockopt(IPPROTO_TCP, TCP_INFO) and the offsets of struct tcp_info (linux/tcp.h) read here; the fields up to
    // tcpi_bytes_retrans exist since Linux 4.19.
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int SolSocket = 1;
    private const int SoLinger = 13;
    private const int StateOffset = 0;
    private const int BytesAckedOffset = 120;
    private const int NotSentOffset = 144;
    private const int BytesSentOffset = 200;
    private const int BytesRetransOffset = 208;
    private const int MinInfoLength = 216;
    private const int InfoLength = 256;

    private int descriptor;

    private TcpSocket(int descriptor) => this.descriptor = descriptor;

    /// <summary>A duplicate of <paramref name="socket"/>'s descriptor, or null when it cannot be had or read.</summary>
    public static TcpSocket? Duplicate(Socket socket)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var copy = Dup((int)handle.DangerousGetHandle());
            if (copy < 0)
            {
                return null;
            }

            var duplicate = new TcpSocket(copy);
            if (duplicate.TryRead(out _))
            {
                return duplicate;
            }

            duplicate.Dispose();
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The connection's state and tallies now; false when the kernel gives no (or too short a) TCP_INFO.</summary>
    public unsafe bool TryRead(out TcpTallies tallies)
    {
        tallies = default;
        var info = stackalloc byte[InfoLength];
        var length = InfoLength;
        if (descriptor < 0 || GetSockOpt(descriptor, IpProtoTcp, TcpInfoOption, info, ref length) != 0 || length < MinInfoLength)
        {
            return false;
        }

        // struct tcp_info is in the host's byte order.
        var span = new ReadOnlySpan<byte>(info, length);
        var sentOnce = (long)(MemoryMarshal.Read<ulong>(span[BytesSentOffset..]) - MemoryMarshal.Read<ulong>(span[BytesRetransOffset..]));
        tallies = new TcpTallies(
            span[StateOffset],
            (long)MemoryMarshal.Read<ulong>(span[BytesAckedOffset..]),
            sentOnce + MemoryMarshal.Read<uint>(span[NotSentOffset..]));
        return true;
    }

    /// <summary>Makes the last close of the socket a reset: what is still unsent is discarded instead of sent later.</summary>
    public unsafe void ResetOnClose()
    {
        var linger = stackalloc int[] { 1, 0 }; // struct linger { l_onoff = 1, l_linger = 0 }
        if (descriptor >= 0)
        {
            _ = SetSockOpt(descriptor, SolSocket, SoLinger, (byte*)linger, 2 * sizeof(int));
        }
    }

    public void Dispose()
    {
        var open = Interlocked.Exchange(ref descriptor, -1);
        if (open >= 0)
        {
            _ = Close(open);
        }
    }

    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "getsockopt")]
    private static unsafe partial int GetSockOpt(int descriptor, int level, int name, byte* value, ref int length);

    [LibraryImport("libc", EntryPoint = "setsockopt")]
    private static unsafe partial int SetSockOpt(int descriptor, int level, int name, byte* value, int length);
}

/// <summary>
/// A TCP connection's state (TCP_* of linux/tcp_states.h), the bytes the peer acknowledged and the bytes the kernel has
/// taken from the application (sent once + not yet sent), all counted from the connection's start.
/// </summary>
internal readonly record struct TcpTallies(byte State, long Acked, long Taken)
{
    private const byte Closed = 7;

    /// <summary>The connection is over: reset by the peer or fully closed; nothing more will be acknowledged.</summary>
    public bool IsClosed => State == Closed;
}
