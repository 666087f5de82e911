using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Parley.Server.Transport;

/// <summary>
/// Lets OpenSSL free a connection's two 16 KB record buffers whenever they are empty
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>, which nginx sets on every connection), so an idle connection does not hold up to
/// 33 KB of native memory it is not using (docs/performance.md, idle). .NET offers no setting for it, so this reaches
/// the connection's <c>SSL*</c> through SslStream's private field and calls <c>SSL_ctrl</c> in the libssl the runtime
/// itself loaded. Where any of that is missing (another TLS library, a runtime that renamed the field) it does nothing:
/// the connection works as before, only with its buffers kept.
/// </summary>
internal static unsafe class TlsBufferRelease
{
    private const int SslCtrlMode = 33;         // SSL_CTRL_MODE, the same in OpenSSL 1.1 and 3.x
    private const nint SslModeReleaseBuffers = 0x10;
    private const string OpenSslHandleType = "Microsoft.Win32.SafeHandles.SafeSslHandle";

    // Bound at the first use, after a handshake, when the runtime has certainly loaded libssl.
    private static readonly Lazy<Binding?> Bound = new(Bind);

    /// <summary>Sets the mode on an authenticated stream; false when this process cannot.</summary>
    public static bool TryEnable(SslStream stream) => TryControl(stream, SslModeReleaseBuffers, out _);

    /// <summary>The stream's OpenSSL mode bits, for tests and diagnostics.</summary>
    public static bool TryGetMode(SslStream stream, out long mode) => TryControl(stream, 0, out mode);

    /// <summary>SSL_CTRL_MODE ORs <paramref name="bits"/> into the mode and returns the result (0 only reads it).</summary>
    private static bool TryControl(SslStream stream, nint bits, out long mode)
    {
        mode = 0;
        // Only OpenSSL's SafeSslHandle holds an SSL*: any other handle type in that field is a layout we do not know.
        if (Bound.Value is not { } binding || binding.ContextField.GetValue(stream) is not SafeHandle context
            || context.GetType().FullName != OpenSslHandleType || context.IsInvalid)
        {
            return false;
        }

        var added = false;
        try
        {
            context.DangerousAddRef(ref added);
            mode = binding.SslCtrl(context.DangerousGetHandle(), SslCtrlMode, bits, 0);
            return true;
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    private static Binding? Bind()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // On Linux the field holds a SafeSslHandle whose handle is the SSL* (checked again per stream).
        var field = typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field is null || !typeof(SafeHandle).IsAssignableFrom(field.FieldType))
        {
            return null;
        }

        // Only the libssl already mapped into this process: calling into another version with its SSL* would be
        // undefined behaviour. dlopen of a loaded path returns that same library.
        var path = LoadedLibSslPath();
        if (path is null || !NativeLibrary.TryLoad(path, out var library) || !NativeLibrary.TryGetExport(library, "SSL_ctrl", out var sslCtrl))
        {
            return null;
        }

        return new Binding(field, (delegate* unmanaged<nint, int, nint, nint, nint>)sslCtrl);
    }

    private static string? LoadedLibSslPath()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var start = line.IndexOf('/', StringComparison.Ordinal);
            if (start >= 0 && Path.GetFileName(line.AsSpan(start)).StartsWith("libssl.so", StringComparison.Ordinal))
            {
                return line[start..];
            }
        }

        return null;
    }

    private sealed class Binding
    {
        private readonly delegate* unmanaged<nint, int, nint, nint, nint> _sslCtrl;

        public Binding(FieldInfo contextField, delegate* unmanaged<nint, int, nint, nint, nint> sslCtrl)
        {
            ContextField = contextField;
            _sslCtrl = sslCtrl;
        }

        public FieldInfo ContextField { get; }

        public nint SslCtrl(nint ssl, int command, nint larg, nint parg) => _sslCtrl(ssl, command, larg, parg);
    }
}
