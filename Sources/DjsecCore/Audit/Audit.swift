/// The checks `djsec check` runs, in the order they are reported, and the
/// runner. A new check is one file in this folder, one line here and one
/// page in docs/checks/.
public enum Audit {
  public static var checks: [any Check] {
    [
      LocalSettingsPresentCheck(), LocalSettingsIgnoredCheck(), LocalSettingsModeCheck(), PrivateKeysCheck(), StoreCheck(),
      KeyStrengthCheck(), KeyInHistoryCheck(), FallbacksCheck(), LeftoverFilesCheck(),
      DebugCheck(), AllowedHostsCheck(), DeploySettingsCheck(), DjangoDeployCheck(),
    ] + layoutChecks + hostChecks + codeChecks
  }

  /// The web server's document roots (`--nginx`, `--apache`).
  static var layoutChecks: [any Check] { [DocumentRootCheck(), StaticMediaCheck()] }
  /// The host (`--host-checks`, Debian and Ubuntu, read under `--root`).
  static var hostChecks: [any Check] { [AutomaticUpdatesCheck(), NoXServerCheck(), LynisCheck()] }
  /// The code (flake8).
  static var codeChecks: [any Check] { [Flake8Check()] }

  public static func run(_ context: AuditContext, checks: [any Check] = Audit.checks) -> AuditResult {
    var outcomes = checks.map { (check: $0, outcome: $0.run(context)) }
    // Django's own check says what djsec's settings checks said already
    // (W018: DEBUG, W020: ALLOWED_HOSTS, W009: the key): one finding each, under djsec's id.
    let failed = Set(
      outcomes.compactMap { entry -> String? in
        if case .failed = entry.outcome { return entry.check.id }
        return nil
      })
    let covered = [
      DebugCheck.djangoID: DebugCheck().id, AllowedHostsCheck.djangoID: AllowedHostsCheck().id,
      KeyStrengthCheck.djangoID: KeyStrengthCheck().id,
    ]
    for i in outcomes.indices where outcomes[i].check.id == DjangoDeployCheck().id {
      guard case .failed(let found) = outcomes[i].outcome else { continue }
      let kept = found.filter { f in !covered.contains { $0.key == f.check && failed.contains($0.value) } }
      outcomes[i].outcome = kept.isEmpty ? .passed : .failed(kept)
    }
    return AuditResult(outcomes: outcomes)
  }
}
