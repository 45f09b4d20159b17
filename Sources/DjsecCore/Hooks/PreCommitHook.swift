import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The git pre-commit hook that runs `djsec scan --staged`, as
/// `djsec hook install` writes it and `djsec hook uninstall` removes it.
///
/// - **Where.** The hooks folder is what `git rev-parse --git-path hooks`
///   names at the top of the work tree: `core.hooksPath` when set (relative
///   to the top, as git runs hooks), the common git folder's `hooks/` from a
///   linked worktree (worktrees share their hooks).
/// - **What.** The hook is templates/pre-commit, byte for byte: the template
///   is the one source of what gets installed. It carries `marker`, which is
///   how a later install or uninstall knows a hook is djsec's.
/// - **Never lose a user's hook.** A hook that is not djsec's is renamed to
///   `pre-commit.djsec-chained` beside it (a rename: its bytes, mode, owner
///   and any symbolic link stay as they were); djsec's hook runs it first and
///   stops the commit when it fails. Uninstall renames it back over djsec's
///   hook in one step. When that name is taken already, nothing is touched.
/// - **Idempotent.** A djsec hook identical to the template and executable
///   is left alone, not even rewritten; an older djsec hook is replaced.
public struct PreCommitHook: Sendable {
  /// The line that marks a hook as djsec's; templates/pre-commit must carry it.
  public static let marker = "# djsec pre-commit hook"
  /// The template's name in templates/.
  public static let templateName = "pre-commit"
  /// Where a user's own hook goes when djsec's takes its place.
  public static let chainedName = "pre-commit.djsec-chained"

  /// The hooks folder git runs hooks from.
  public let folder: URL
  public var hook: URL { folder.appendingPathComponent("pre-commit") }
  public var chained: URL { folder.appendingPathComponent(Self.chainedName) }

  public init(folder: URL) { self.folder = folder }

  /// The pre-commit hook of the repository `path` is in.
  public static func locate(_ folder: URL) throws(HookError) -> PreCommitHook {
    let path = folder.standardizedFileURL
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir), isDir.boolValue,
      let check = Subprocess.run("git", ["rev-parse", "--is-bare-repository"], in: path), check.status == 0
    else { throw .notARepository(path: path.path) }
    guard !check.stdoutText.hasPrefix("true") else { throw .bareRepository(path: path.path) }
    // From the top of the work tree: a relative core.hooksPath is relative to it.
    let top = try ask(["rev-parse", "--show-toplevel"], in: path)
    let hooks = try ask(["rev-parse", "--git-path", "hooks"], in: URL(fileURLWithPath: top))
    let folder = hooks.hasPrefix("/") ? URL(fileURLWithPath: hooks) : URL(fileURLWithPath: top).appendingPathComponent(hooks)
    return PreCommitHook(folder: folder.standardizedFileURL)
  }

  /// The hook's text: templates/pre-commit as compiled in, or as installed
  /// in PREFIX/share/djsec/templates (which overrides it).
  public static func template(executable: URL = Installation.executableURL()) throws(HookError) -> String {
    var text = Installation.embeddedTemplate(templateName)
    var url = URL(fileURLWithPath: "templates/\(templateName)")
    if let folder = Installation.sharedFile("templates", executable: executable) {
      url = folder.appendingPathComponent(templateName)
      do { text = try AtomicFile.readText(url) ?? text } catch { throw .file(error) }
    }
    guard let text else { throw .templateMissing(path: url.path) }
    // Without the marker a second install would take djsec's own hook for a user's and chain it.
    guard isDjsecs(text) else { throw .templateUnmarked(path: url.path, marker: marker) }
    return text
  }

  public static func isDjsecs(_ text: String) -> Bool {
    text.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == marker }
  }

  public enum Installed: Equatable, Sendable {
    /// djsec's hook was there already, as the template has it.
    case unchanged
    /// No hook was there.
    case written
    /// An older djsec hook was replaced.
    case updated
    /// A user's hook was moved to `chained` and runs first; `executable`
    /// false when it was not (git did not run it before, nor will djsec's hook).
    case chained(executable: Bool)
  }

  /// Writes `script` (the template) as the hook, mode 0755, atomically.
  public func install(script: String) throws(HookError) -> Installed {
    try createFolder()
    guard Self.exists(hook) else {
      try write(script)
      return .written
    }
    let current = FileManager.default.contents(atPath: hook.path).map { String(decoding: $0, as: UTF8.self) }
    if let current, Self.isDjsecs(current) {
      if current == script, Self.isExecutable(hook) { return .unchanged }
      try write(script)
      return .updated
    }
    guard !Self.exists(chained) else { throw .chainOccupied(hook: hook.path, chained: chained.path) }
    guard rename(hook.path, chained.path) == 0 else { throw .file(.cannotWrite(path: chained.path, errno: errno)) }
    do { try write(script) } catch {
      // Put the user's hook back where it was: a failed install changes nothing.
      _ = rename(chained.path, hook.path)
      throw error
    }
    return .chained(executable: Self.isExecutable(chained))
  }

  public enum Removed: Equatable, Sendable {
    /// No hook at all.
    case nothing
    /// A hook that is not djsec's: left as it is.
    case foreign
    /// djsec's hook removed; none was chained.
    case removed
    /// djsec's hook replaced by the user's hook it had chained.
    case restored
  }

  public func uninstall() throws(HookError) -> Removed {
    guard Self.exists(hook) else { return .nothing }
    guard let current = FileManager.default.contents(atPath: hook.path), Self.isDjsecs(String(decoding: current, as: UTF8.self))
    else { return .foreign }
    if Self.exists(chained) {
      // One rename: there is never a moment without a hook.
      guard rename(chained.path, hook.path) == 0 else { throw .file(.cannotWrite(path: hook.path, errno: errno)) }
      return .restored
    }
    guard unlink(hook.path) == 0 else { throw .file(.cannotWrite(path: hook.path, errno: errno)) }
    return .removed
  }

  private func write(_ script: String) throws(HookError) {
    do { try AtomicFile.write(script, to: hook, mode: 0o755) } catch { throw .file(error) }
    // A djsec hook replaced keeps its mode (AtomicFile): one made non-executable
    // by hand would never run, so it gets x wherever it has r.
    if let mode = AtomicFile.mode(of: hook), mode & 0o100 == 0 {
      guard chmod(hook.path, mode | ((mode & 0o444) >> 2)) == 0 else { throw .file(.cannotWrite(path: hook.path, errno: errno)) }
    }
  }

  private func createFolder() throws(HookError) {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue { return }
    do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
      throw .file(.cannotWrite(path: folder.path, errno: EACCES))
    }
  }

  /// Anything at the name, a dangling symbolic link too (it is a user's hook all the same).
  private static func exists(_ url: URL) -> Bool {
    var info = stat()
    return lstat(url.path, &info) == 0
  }

  private static func isExecutable(_ url: URL) -> Bool { access(url.path, X_OK) == 0 }

  private static func ask(_ arguments: [String], in folder: URL) throws(HookError) -> String {
    guard let r = Subprocess.run("git", arguments, in: folder) else {
      throw .hooksFolderUnknown(path: folder.path, reason: "git could not be started")
    }
    guard r.status == 0 else {
      let reason = String(decoding: r.stderr, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "git failed"
      throw .hooksFolderUnknown(path: folder.path, reason: reason)
    }
    return r.stdoutText.trimmingCharacters(in: .newlines)
  }
}
