namespace EdgeAgent.Dashboard.Access;

/// <summary>
/// What a dashboard caller may do. <see cref="Viewer"/> is the read-only caller of the shared token
/// (<c>Dashboard:Token</c>) or of an anonymous loopback-only dashboard; the other three are local accounts
/// (<c>edgeagent users</c>). A <see cref="Supervisor"/> has every right of an <see cref="Operator"/> as well.
/// </summary>
public enum DashboardRole
{
    /// <summary>Reads pages and the JSON API; changes nothing.</summary>
    Viewer,

    /// <summary>Decides REVIEW pairs and may override OK/NG.</summary>
    Operator,

    /// <summary>Everything an operator may, plus KPIs, exports and users.</summary>
    Supervisor,

    /// <summary>Models, thresholds, canary.</summary>
    Technician,
}

/// <summary>The role names as they appear in <c>users.json</c>, on the command line and in the role claim.</summary>
public static class DashboardRoles
{
    /// <summary>The lower-case name (<c>operator</c>, …), as the role claim carries it.</summary>
    public static string Name(this DashboardRole role) => role switch
    {
        DashboardRole.Viewer => "viewer",
        DashboardRole.Operator => "operator",
        DashboardRole.Supervisor => "supervisor",
        DashboardRole.Technician => "technician",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown dashboard role"),
    };

    /// <summary>Parses a role a person can hold (<c>operator</c>, <c>supervisor</c>, <c>technician</c>, any case); viewer is not one.</summary>
    public static bool TryParseAccountRole(string? text, out DashboardRole role)
    {
        role = DashboardRole.Viewer;
        foreach (var candidate in new[] { DashboardRole.Operator, DashboardRole.Supervisor, DashboardRole.Technician })
        {
            if (string.Equals(text?.Trim(), candidate.Name(), StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="held"/> grants <paramref name="asked"/>: the same role, or a supervisor asked for an
    /// operator's right (the issue: "supervisor: everything an operator can do").
    /// </summary>
    public static bool Grants(this DashboardRole held, DashboardRole asked) =>
        held == asked || (held == DashboardRole.Supervisor && asked == DashboardRole.Operator);
}
