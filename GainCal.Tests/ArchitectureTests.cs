using System.Reflection;

namespace GainCal.Tests;

/// <summary>DESIGN.md 2: the domain core is plain C#. Every type of the domain namespaces is inspected by reflection:
/// its base types, interfaces, attributes, fields, properties, method signatures and constructor parameters (nested and
/// compiler-generated types included) may name no Akka or MessagePack type.</summary>
public class ArchitectureTests
{
    static readonly string[] Domain = ["Detector", "Dump", "Calibration", "Results", "Payloads", "Reports", "Simulation", "Storage"];
    static readonly string[] Forbidden = ["Akka", "MessagePack"];

    static bool IsForbidden(Type? t)
    {
        if (t is null) return false;
        if (t.HasElementType) return IsForbidden(t.GetElementType());
        if (t.IsGenericType && t.GetGenericArguments().Any(IsForbidden)) return true;
        var ns = t.Namespace ?? "";
        return Forbidden.Any(f => ns == f || ns.StartsWith(f + ".", StringComparison.Ordinal));
    }

    static IEnumerable<string> Violations(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (IsForbidden(type.BaseType)) yield return $"base {type.BaseType}";
        foreach (var i in type.GetInterfaces().Where(IsForbidden)) yield return $"interface {i}";
        foreach (var a in type.GetCustomAttributesData().Where(a => IsForbidden(a.AttributeType))) yield return $"attribute {a.AttributeType}";
        foreach (var f in type.GetFields(all))
        {
            if (IsForbidden(f.FieldType)) yield return $"field {f.Name}: {f.FieldType}";
            foreach (var a in f.GetCustomAttributesData().Where(a => IsForbidden(a.AttributeType))) yield return $"attribute {a.AttributeType} on {f.Name}";
        }
        foreach (var p in type.GetProperties(all))
        {
            if (IsForbidden(p.PropertyType)) yield return $"property {p.Name}: {p.PropertyType}";
            foreach (var a in p.GetCustomAttributesData().Where(a => IsForbidden(a.AttributeType))) yield return $"attribute {a.AttributeType} on {p.Name}";
        }
        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (m is MethodInfo mi && IsForbidden(mi.ReturnType)) yield return $"method {m.Name} returns {mi.ReturnType}";
            foreach (var p in m.GetParameters().Where(p => IsForbidden(p.ParameterType))) yield return $"{m.Name}({p.ParameterType})";
            var body = m.GetMethodBody();
            if (body is null) continue;
            foreach (var l in body.LocalVariables.Where(l => IsForbidden(l.LocalType))) yield return $"{m.Name} has a local {l.LocalType}";
        }
    }

    [Fact]
    public void Domain_types_reference_no_Akka_or_MessagePack_type()
    {
        var assembly = typeof(GainCal.Calibration.FedCalibrationSetup).Assembly;
        var domain = assembly.GetTypes().Where(t => Domain.Any(d => t.Namespace == $"GainCal.{d}")).ToList();
        Assert.True(domain.Count > 100, $"only {domain.Count} domain types found");
        Assert.All(Domain, d => Assert.Contains(domain, t => t.Namespace == $"GainCal.{d}"));
        var violations = domain.SelectMany(t => Violations(t).Select(v => $"{t.FullName}: {v}")).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_check_sees_a_MessagePack_attribute_and_an_Akka_field()
    {
        Assert.NotEmpty(Violations(typeof(GainCal.Cluster.PixelStats)));
        Assert.NotEmpty(Violations(typeof(GainCal.Cluster.FedCalibrator)));
    }

    [Fact]
    public void There_is_one_Moments_type()
    {
        var moments = typeof(GainCal.Calibration.FedCalibrationSetup).Assembly.GetTypes().Where(t => t.Name == "Moments").ToList();
        Assert.Equal([typeof(GainCal.Results.Moments)], moments);
    }
}
