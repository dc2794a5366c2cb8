using System.Security.Cryptography;
using EdgeAgent.Inference.Model;
using EdgeAgent.Inference.Session;
using EdgeAgent.Messaging.Models;
using EdgeAgent.Models.Packages;
using EdgeAgent.Models.Store;
using EdgeAgent.Models.Transfer;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Storage.Audit;
using EdgeAgent.Storage.Log;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Models.Activation;

/// <summary>What became of a package: <c>activated</c>, or <c>rejected</c> with a reason code and the numbers.</summary>
public sealed record ActivationResult(string State, string? Reason, string Detail, string? Name, string? Version)
{
    /// <summary>True when the package's model now judges its products.</summary>
    public bool Activated => State == "activated";
}

/// <summary>
/// Takes a received package to active service, or refuses it with a reason, leaving the model in service
/// untouched: verify the signature and every hash (<see cref="ModelPackageVerifier"/>), install it in the
/// store, load it (contract, execution provider), run the canary, and only then switch the routing table
/// between two pairs. A version at or below the highest one activated (<see cref="ModelStore.Highest"/>) is a
/// downgrade and needs a signed intent (<see cref="CommandAuthenticator"/>), so a recorded push sent again cannot
/// bring back a version that was replaced or rolled back. Every step's outcome goes to the audit trail. One package at a time.
/// </summary>
public sealed class ModelActivation(
    ModelStore store,
    ActiveModels active,
    TrustList trust,
    CommandAuthenticator commands,
    ModelsOptions options,
    InferenceOptions inference,
    InspectorFactory factory,
    VerdictLog log,
    string dataDirectory,
    string defaultProduct,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Reason code: the model does not load or breaks its kind's contract (see <see cref="ModelContractException"/> for the finer codes).</summary>
    public const string WrongContract = ModelContractException.WrongContract;

    /// <summary>Reason code: the canary failed (numbers in the detail).</summary>
    public const string CanaryFailed = "CANARY_FAILED";

    /// <summary>Reason code: the product has no shadow in service to promote.</summary>
    public const string NoShadow = "NO_SHADOW";

    /// <summary>Reason code: the shadow is not a version of a model the product routes to (change <c>Products:&lt;p&gt;:Models</c> instead).</summary>
    public const string ShadowNotRouted = "SHADOW_NOT_ROUTED";

    /// <summary>Reason code: this name and version is installed with a different model.</summary>
    public const string VersionConflict = "VERSION_CONFLICT";

    private readonly Lock _gate = new();

    /// <summary>
    /// Verifies, installs, proves and activates the package at <paramref name="packagePath"/>; <paramref name="downgrade"/>
    /// is the technician's signed intent that lets a version at or below the highest activated one in.
    /// </summary>
    public ActivationResult Install(string packagePath, CommandSignature? downgrade = null)
    {
        lock (_gate)
        {
            var work = Path.Combine(dataDirectory, "incoming", "activation-" + Guid.NewGuid().ToString("N"));
            try
            {
                return InstallLocked(packagePath, downgrade, work);
            }
            finally
            {
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        }
    }

    private ActivationResult InstallLocked(string packagePath, CommandSignature? downgrade, string work)
    {
        var verification = ModelPackageVerifier.Verify(packagePath, trust, options.Limits, Path.Combine(work, "staging"));
        if (!verification.IsAccepted)
        {
            return Reject(verification.Rejection.Code, verification.Rejection.Detail, "unverified", null, null, FileSha256(packagePath));
        }

        var package = verification.Package;
        var (name, version, keyId) = (package.Manifest.Name, package.Manifest.Version, package.KeyId);
        var verified = "signature and hashes verified";
        if (store.Highest(name) is { } highest && ModelVersion.Compare(version, highest) <= 0)
        {
            var current = store.Active(name)?.Version ?? "none";
            var check = commands.Check(downgrade, SignedCommand.Downgrade, name, version);
            if (!check.Accepted)
            {
                var why = downgrade is null
                    ? $"{name} {version} is at or below {highest}, the highest version activated (active: {current}); installing it needs a signed downgrade intent (edgeagent models push --downgrade --key)"
                    : $"the downgrade intent for {name} {version} was refused, {check.Reason}: {check.Detail}";
                return Reject(CommandReasons.Downgrade, why, keyId, name, version, package.PackageSha256);
            }

            verified += $"; downgrade below {highest} (active: {current}) authorised by key {check.KeyId}";
        }

        Audit("pushed", keyId, name, version, package.PackageSha256, verified);
        StoredModel stored;
        try
        {
            stored = store.Install(package);
        }
        catch (ModelVersionConflictException e)
        {
            return Reject(VersionConflict, e.Message, keyId, name, version, package.PackageSha256);
        }

        return Prove(stored, keyId, work, "activated");
    }

    // Load, canary, switch: the same proof for a pushed package and a promoted shadow.
    private ActivationResult Prove(StoredModel stored, string keyId, string work, string action)
    {
        var (name, version) = (stored.Name, stored.Version);
        LoadedModel loaded;
        try
        {
            loaded = ModelBootstrap.Load(stored, inference, factory, logger);
        }
        catch (ModelContractException e)
        {
            return Reject(e.Reason, e.Message, keyId, name, version, stored.Sha256);
        }

        var pairs = CanaryCheck.Find(defaultProduct, options.CanaryFolderUnder(dataDirectory), stored.CanaryFolder);
        using var inspector = factory.Create(ModelPanel.Of(loaded));
        var canary = CanaryCheck.Run(inspector, loaded.Model.Info.Crop, pairs, options.CanaryMinDefectRecall, Path.Combine(work, "canary"));
        if (!canary.Passed)
        {
            loaded.Retire();
            return Reject(CanaryFailed, canary.Summary, keyId, name, version, stored.Sha256);
        }

        lock (active.SwitchGate)
        {
            store.Activate(name, version);
            active.Activate(loaded);
        }

        Audit(action, keyId, name, version, stored.Sha256, $"canary: {canary.Summary}; provider {loaded.Model.Provider}");
        Log.Activated(logger, name, version, keyId, canary.Summary);
        return new ActivationResult("activated", null, canary.Summary, name, version);
    }

    /// <summary>
    /// Makes <paramref name="product"/>'s shadow the active version of its model, through the same canary and switch
    /// as a push; the shadow then stops (it would only agree with itself). Refused when the product has no shadow
    /// or the shadow's model is not one the product routes to.
    /// </summary>
    public ActivationResult PromoteShadow(string product, string actor)
    {
        lock (_gate)
        {
            var route = active.RouteOf(product);
            if (route.Shadow is not { } shadow || !active.Shadows().ContainsKey(shadow))
            {
                return Reject(NoShadow, $"product {product} has no shadow model in service", actor, null, null, null);
            }

            if (!route.Models.Contains(shadow.Name))
            {
                return Reject(ShadowNotRouted, $"shadow {shadow} is not a version of a model product {product} routes to ({string.Join(", ", route.Models)})", actor, shadow.Name, shadow.Version, null);
            }

            var stored = store.Versions(shadow.Name).First(v => v.Version == shadow.Version);
            var work = Path.Combine(dataDirectory, "incoming", "promotion-" + Guid.NewGuid().ToString("N"));
            try
            {
                var result = Prove(stored, actor, work, "promoted");
                if (result.Activated)
                {
                    active.DropShadow(product);
                }

                return result;
            }
            finally
            {
                if (Directory.Exists(work))
                {
                    Directory.Delete(work, recursive: true);
                }
            }
        }
    }

    private ActivationResult Reject(string reason, string detail, string actor, string? name, string? version, string? sha256)
    {
        Audit("rejected", actor, name, version, sha256, $"{reason}: {detail}");
        Log.Rejected(logger, name ?? "?", version ?? "?", reason, detail);
        return new ActivationResult("rejected", reason, detail, name, version);
    }

    private void Audit(string action, string actor, string? name, string? version, string? sha256, string detail) =>
        log.RecordAudit(new AuditEntry(time.GetUtcNow(), action, actor, name, version, sha256, detail));

    private static string? FileSha256(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
