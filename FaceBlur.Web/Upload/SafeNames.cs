using System.Text;

namespace FaceBlur.Web.Upload;

/// <summary>
/// Client file names are only ever used for display (names inside a result zip): reduced to a safe subset, never used
/// as a path. Stored files get generated names.
/// </summary>
public static class SafeNames
{
    private const int MaxLength = 80;

    /// <summary>The extension of a client name, lower case, without the dot ("" when none).</summary>
    public static string Extension(string clientName)
    {
        var name = LastSegment(clientName);
        var dot = name.LastIndexOf('.');
        if (dot < 0 || dot == name.Length - 1)
        {
            return "";
        }

        var extension = name[(dot + 1)..].ToLowerInvariant();
        return extension.Length <= 10 && extension.All(char.IsAsciiLetterOrDigit) ? extension : "";
    }

    /// <summary>A display name: the last path segment, letters, digits and a few punctuation marks, at most 80 characters.</summary>
    public static string ForDisplay(string clientName)
    {
        var name = LastSegment(clientName);
        var builder = new StringBuilder(Math.Min(name.Length, MaxLength));
        foreach (var c in name)
        {
            if (builder.Length >= MaxLength)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ' ' or '(' or ')' ? c : '_');
        }

        var result = builder.ToString().Trim(' ', '.');
        return result.Length == 0 ? "image" : result;
    }

    private static string LastSegment(string clientName)
    {
        var cut = clientName.LastIndexOfAny(['/', '\\']);
        var name = cut >= 0 ? clientName[(cut + 1)..] : clientName;
        var nul = name.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0 ? name[..nul] : name;
    }
}
