using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace GainCal.Cluster;

/// <summary>Mutual TLS between nodes (Akka.Remote's DotNetty transport): each node presents its own certificate and
/// accepts a peer, in either direction, only when the peer's certificate chains to the cluster's own authority
/// (<see cref="NodeSettings.TlsCa"/>), not to anything the system trusts. Host names are not checked: nodes are
/// reached by address, and every certificate of the authority is a cluster member. Akka.Remote 1.5.73 carries the
/// fix of CVE-2025-61778 (client certificates were not required before 1.5.52) and of akka.net#7938 (a failed
/// inbound handshake no longer shuts the server down, 1.5.56).</summary>
public static class RemotingTls
{
    public const string PasswordVariable = "GAINCAL_TLSCERTIFICATEPASSWORD";

    /// <summary>The transport's TLS setup; throws <see cref="InvalidDataException"/> naming the file that cannot be used.</summary>
    public static DotNettySslSetup Setup(NodeSettings s)
    {
        var certificate = Load(s.TlsCertificate!, () =>
            X509CertificateLoader.LoadPkcs12FromFile(s.TlsCertificate!, s.TlsCertificatePassword ?? Environment.GetEnvironmentVariable(PasswordVariable) ?? ""));
        if (!certificate.HasPrivateKey) throw new InvalidDataException($"{s.TlsCertificate}: holds no private key (TlsCertificate must be the node's .pfx)");
        var authority = Load(s.TlsCa!, () => X509CertificateLoader.LoadCertificateFromFile(s.TlsCa!));
        return new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: IssuedBy(authority));
    }

    static X509Certificate2 Load(string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{path}: not a usable certificate: {e.Message}", e);
        }
    }

    /// <summary>Accepts a certificate only when it chains to <paramref name="authority"/> (its own trust anchor; the
    /// system's roots play no part) and is valid now.</summary>
    public static CertificateValidationCallback IssuedBy(X509Certificate2 authority) =>
        (certificate, _, peer, _, log) =>
        {
            if (certificate is null)
            {
                log.Warning("TLS: refused {0}: it presented no certificate", peer);
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain.Build(certificate)) return true;
            log.Warning("TLS: refused {0}: certificate {1} is not one of this cluster's authority {2} ({3})", peer, certificate.Subject,
                authority.Subject, string.Join("; ", chain.ChainStatus.Select(x => x.StatusInformation.Trim())));
            return false;
        };
}
