import DjsecCore
import Foundation

/// The settings files `djsec scan` reads (`--config`, `--gitleaks-config`,
/// `--rules`, `--ignore-file`, `--baseline` and the default names): as
/// given, or with `--settings-from REV` as they are at REV (SettingsSnapshot
/// says why). A file named on the command line that REV does not have is not
/// used, with a warning; one outside the repository is the user's own and is
/// read as it is.
struct TrustedSettings {
  var snapshot: SettingsSnapshot?
  var config: String?
  var gitleaksConfig: String?
  var rules: String?
  var ignoreFile: String?
  var baseline: String?
  var warnings: [String] = []
  /// Where gitleaks' `[extend] path` is looked for when it is not beside its file.
  var startFolder: URL? = Djsec.currentFolder

  init(_ scan: Djsec.Scan, repository: GitRepository?) throws {
    config = scan.config
    gitleaksConfig = scan.gitleaksConfig
    rules = scan.rules
    ignoreFile = scan.ignoreFile
    baseline = scan.baseline
    guard let revision = scan.settingsFrom, let repository else { return }
    let here = Djsec.currentFolder
    let named = [config, gitleaksConfig, rules, ignoreFile, baseline].compactMap { $0 }
      .compactMap { SettingsSnapshot.relativePath($0, from: here, repositoryRoot: repository.root) }
    let snapshot = try SettingsSnapshot(repository, revision: revision, explicit: named)
    self.snapshot = snapshot
    func fromRevision(_ given: String?, _ flag: String) -> String? {
      guard let given else { return nil }
      if let path = snapshot.path(given, from: here) { return path }
      warnings.append("\(flag) \(given) is not in \(revision), so it is not used (--settings-from): it takes effect once merged")
      return nil
    }
    config = fromRevision(config, "--config")
    gitleaksConfig = fromRevision(gitleaksConfig, "--gitleaks-config")
    rules = fromRevision(rules, "--rules")
    ignoreFile = fromRevision(ignoreFile, "--ignore-file")
    baseline = fromRevision(baseline, "--baseline")
    startFolder = snapshot.startFolder(for: here)
    self.named = named
  }

  private var named: [String] = []

  /// Runs `body` (loading a settings file), naming a file read from REV as
  /// `REV:path` in its error rather than by its temporary copy.
  func reading<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as any DjsecError {
      guard let snapshot else { throw error }
      throw SettingsFromError(error, snapshot: snapshot)
    }
  }

  /// The configuration's warnings, files from REV named `REV:path`.
  func naming(_ warnings: [String]) -> [String] {
    guard let snapshot else { return warnings }
    return warnings.map(snapshot.naming)
  }

  /// Each settings file the checkout has differently from REV, named once
  /// the configuration is loaded (so files it extends are named too).
  func differences(_ config: ScanConfig) -> [String] {
    guard let snapshot else { return [] }
    return snapshot.differences(among: SettingsSnapshot.defaultNames + named + config.files).map {
      "\($0) differs from \(snapshot.revision)'s, which is used (--settings-from): the change takes effect once merged"
    }
  }
}
