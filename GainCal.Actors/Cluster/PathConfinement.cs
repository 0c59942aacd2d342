using GainCal.Storage;

namespace GainCal.Cluster;

/// <summary>A path reached outside the node's allowed data roots (after every symbolic link was followed).</summary>
public sealed class PathOutsideRootsException(string message) : IOException(message);

/// <summary>The one place a node decides whether it may read or write a path: the path's final target (every
/// symbolic link followed, those of parent directories too; for a path that does not exist yet, the target of its
/// nearest existing ancestor with the rest appended) must lie under one of this node's own allowed roots, themselves
/// resolved the same way. Every node checks at the moment it touches a path, so neither a run created through another
/// node nor a link planted after `create` leads it outside.</summary>
public sealed class PathConfinement(IReadOnlyList<string> roots)
{
    /// <summary>Links followed before a path is called a loop (Linux's own limit).</summary>
    const int MaxLinks = 40;

    public IReadOnlyList<string> Roots { get; } = roots;

    public static PathConfinement Of(NodeSettings settings) => new(settings.EffectiveAllowedRoots);

    /// <summary>Null when <paramref name="path"/> (absolute) resolves under a root; otherwise the one-line reason. An XRootD
    /// URL must lie under a root that is itself an XRootD URL (its links are the server's to resolve).</summary>
    public string? Problem(string path)
    {
        if (XRootDUrl.IsXRootD(path))
        {
            if (!XRootDUrl.TryParse(path, out var url, out var invalid)) return invalid;
            var location = url.ToString();
            return Roots.Any(r => XRootDUrl.IsXRootD(r) && Under(location, r))
                ? null
                : $"{location} is outside this node's allowed data roots ({string.Join(", ", Roots)})";
        }
        if (!Path.IsPathRooted(path)) return $"{path}: paths sent to a node must be absolute";
        string target;
        try
        {
            target = Resolve(path);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        var resolvedRoots = Roots.Select(r =>
        {
            try
            {
                return Resolve(r);
            }
            catch (IOException)
            {
                return null;
            }
        }).OfType<string>();
        if (resolvedRoots.Any(r => Under(target, r))) return null;
        var via = target == path ? "" : $" (it resolves to {target})";
        return $"{path}{via} is outside this node's allowed data roots ({string.Join(", ", Roots)})";
    }

    /// <summary>Throws <see cref="PathOutsideRootsException"/> with <see cref="Problem"/>'s reason.</summary>
    public string Check(string path) =>
        Problem(path) is { } problem ? throw new PathOutsideRootsException(problem) : path;

    static bool Under(string path, string root)
    {
        var r = root.TrimEnd('/');
        return r.Length == 0 || path == r || path.StartsWith(r + "/", StringComparison.Ordinal);
    }

    /// <summary>The final target of an absolute path: components are walked from the file-system root, each
    /// symbolic link replaced by its target (relative targets against the link's directory), '..' taken after
    /// the links before it were followed (as the kernel does). Components that do not exist are appended as
    /// written: nothing there can redirect a write until someone creates it, and then the next check sees it.</summary>
    public static string Resolve(string path)
    {
        // Not GetFullPath for an absolute path: it would take ".." before the links ahead of it were followed.
        var pending = new Stack<string>(Components(Path.IsPathRooted(path) ? path : Path.GetFullPath(path)).Reverse());
        var resolved = new List<string>();
        var links = 0;
        var exists = true;
        while (pending.TryPop(out var name))
        {
            if (name == ".") continue;
            if (name == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            resolved.Add(name);
            if (!exists) continue;
            var current = Join(resolved);
            // readlink: a link is followed even when it dangles (its target decides where a write would land).
            if (new FileInfo(current).LinkTarget is not { } target)
            {
                exists = Path.Exists(current);
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"{path}: too many levels of symbolic links");
            resolved.RemoveAt(resolved.Count - 1);
            if (Path.IsPathRooted(target)) resolved.Clear();
            foreach (var part in Components(target).Reverse()) pending.Push(part);
        }
        return Join(resolved);
    }

    static IEnumerable<string> Components(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    static string Join(List<string> parts) => "/" + string.Join('/', parts);
}
