using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

/// <summary>Real directories and symbolic links in a temporary tree: what the kernel would open is what is checked.</summary>
public class PathConfinementTests
{
    [Fact]
    public void Links_of_the_path_and_of_its_parents_are_followed_to_the_final_target()
    {
        using var t = new TempDir();
        var a = t.Sub("a");
        var b = t.Sub("b/deep");
        File.WriteAllText(Path.Combine(b, "f"), "x");
        File.CreateSymbolicLink(Path.Combine(a, "abs"), b);                       // absolute target
        File.CreateSymbolicLink(Path.Combine(a, "rel"), "../b/deep");             // relative target
        File.CreateSymbolicLink(Path.Combine(a, "chain"), Path.Combine(a, "rel")); // a link to a link
        File.CreateSymbolicLink(Path.Combine(t.Path, "up"), a);

        Assert.Equal(Path.Combine(b, "f"), PathConfinement.Resolve(Path.Combine(a, "abs", "f")));
        Assert.Equal(Path.Combine(b, "f"), PathConfinement.Resolve(Path.Combine(a, "rel", "f")));
        Assert.Equal(Path.Combine(b, "f"), PathConfinement.Resolve(Path.Combine(t.Path, "up", "chain", "f")));
        // '..' after a link leaves the link's target, not the link's directory (as the kernel does).
        Assert.Equal(Path.Combine(t.Path, "b", "x"), PathConfinement.Resolve(Path.Combine(a, "abs") + "/../x"));
    }

    [Fact]
    public void A_path_that_does_not_exist_yet_is_resolved_through_its_nearest_existing_ancestor()
    {
        using var t = new TempDir();
        var outside = t.Sub("outside");
        var root = t.Sub("root");
        File.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), Path.Combine(outside, "later"));

        Assert.Equal(Path.Combine(outside, "o8", "GainRun_1"), PathConfinement.Resolve(Path.Combine(root, "link", "o8", "GainRun_1")));
        Assert.Equal(Path.Combine(outside, "later", "x"), PathConfinement.Resolve(Path.Combine(root, "dangling", "x")));
        Assert.Equal(Path.Combine(root, "new", "x"), PathConfinement.Resolve(Path.Combine(root, "new", "x")));
    }

    [Fact]
    public void A_link_loop_is_an_error_not_a_hang()
    {
        using var t = new TempDir();
        File.CreateSymbolicLink(Path.Combine(t.Path, "p"), Path.Combine(t.Path, "q"));
        File.CreateSymbolicLink(Path.Combine(t.Path, "q"), Path.Combine(t.Path, "p"));
        var paths = new PathConfinement([t.Path]);
        Assert.Equal($"{t.Path}/p/x: too many levels of symbolic links", paths.Problem(Path.Combine(t.Path, "p", "x")));
    }

    [Fact]
    public void Paths_are_allowed_only_when_their_final_target_lies_under_a_root()
    {
        using var t = new TempDir();
        var outside = t.Sub("outside");
        var root = t.Sub("root");
        t.Sub("rootling");
        var inside = Directory.CreateDirectory(Path.Combine(root, "in")).FullName;
        File.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "alias"), inside);
        // A root that is itself a link is the directory it names.
        File.CreateSymbolicLink(Path.Combine(t.Path, "root-link"), root);
        var paths = new PathConfinement([Path.Combine(t.Path, "root-link")]);

        Assert.Null(paths.Problem(root));
        Assert.Null(paths.Problem(Path.Combine(root, "in", "dump.dmp")));
        Assert.Null(paths.Problem(Path.Combine(root, "alias", "not-yet", "o8")));
        Assert.Null(paths.Problem(Path.Combine(t.Path, "root-link", "in")));
        Assert.Equal($"{root}/link/o8 (it resolves to {outside}/o8) is outside this node's allowed data roots ({t.Path}/root-link)",
            paths.Problem(Path.Combine(root, "link", "o8")));
        Assert.Equal($"{t.Path}/rootling/x is outside this node's allowed data roots ({t.Path}/root-link)",
            paths.Problem(Path.Combine(t.Path, "rootling", "x")));
        Assert.Equal($"{root}/../outside (it resolves to {outside}) is outside this node's allowed data roots ({t.Path}/root-link)",
            paths.Problem($"{root}/../outside"));
        Assert.Equal("in/x: paths sent to a node must be absolute", paths.Problem("in/x"));
        var e = Assert.Throws<PathOutsideRootsException>(() => paths.Check(Path.Combine(root, "link")));
        Assert.Contains(outside, e.Message);
    }
}
