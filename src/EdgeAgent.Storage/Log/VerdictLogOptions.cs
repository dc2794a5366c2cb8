using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Storage.Log;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class VerdictLogOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Storage";

    /// <summary>Folder for the database and the agent's lock file; one agent per folder.</summary>
    [Required]
    public string DataDirectory { get; set; } = "/var/lib/edgeagent";

    /// <summary>The LiteDB file inside <see cref="DataDirectory"/>.</summary>
    /// <remarks>
    /// Null-safe because validation reads every property: a <c>"DataDirectory": null</c> must be refused as missing
    /// (exit 78), not throw from here (found by fuzzing the configuration).
    /// </remarks>
    public string DatabasePath => Path.Combine(DataDirectory ?? "", "edgeagent.db");
}
