import Foundation

/// The environment of every process djsec starts (git, an editor): djsec's
/// own without any DJSEC_* variable, so no child, nor any hook or textconv it
/// runs in turn, sees a private key or a passphrase. The CLI already removes
/// them at start-up (DjsecEnvironment.capture); this holds even when it did not.
public enum ChildEnvironment {
  public static func variables() -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DJSEC_") }
  }
}

/// Runs a helper program (git) and collects its output. Used for short
/// commands only; the scanner streams git's output instead.
enum Subprocess {
  struct Result {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  }

  static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, input: Data? = nil) -> Result? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    process.environment = ChildEnvironment.variables()
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inputPipe = input.map { _ in Pipe() }
    process.standardInput = inputPipe ?? FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    // Written from another thread: a long input (blob ids for cat-file)
    // and a long output would otherwise block each other on full pipes.
    if let input, let inputPipe {
      let writer = inputPipe.fileHandleForWriting
      DispatchQueue.global().async {
        writer.write(input)
        try? writer.close()
      }
    }
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    let errData = DispatchQueue(label: "djsec.subprocess.stderr")
    nonisolated(unsafe) var stderrBytes = Data()
    let group = DispatchGroup()
    group.enter()
    errData.async {
      stderrBytes = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let stdoutBytes = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: stdoutBytes, stderr: stderrBytes)
  }
}

/// The few git questions `init`, `render` and `keys new` ask. git missing or
/// the folder not in a repository both mean "not tracked" and "not in a work
/// tree": a file outside every repository cannot be committed.
enum Git {
  static func isInsideWorkTree(_ directory: URL) -> Bool {
    guard let r = Subprocess.run("git", ["rev-parse", "--is-inside-work-tree"], in: directory) else { return false }
    return r.status == 0 && r.stdoutText.hasPrefix("true")
  }

  static func isTracked(_ file: URL) -> Bool {
    let dir = file.deletingLastPathComponent()
    guard FileManager.default.fileExists(atPath: dir.path), isInsideWorkTree(dir) else { return false }
    // :(literal): a file named `*.py` means that file, not a pattern.
    guard let r = Subprocess.run("git", ["ls-files", "--error-unmatch", "--", ":(literal)" + file.lastPathComponent], in: dir)
    else {
      return false
    }
    return r.status == 0
  }

  /// The names of the files directly in `folder` that git tracks (in the
  /// index, so `git add -f` counts); empty outside a repository.
  static func trackedNames(in folder: URL) -> Set<String> {
    guard let r = Subprocess.run("git", ["ls-files", "-z", "--", "."], in: folder), r.status == 0 else { return [] }
    return Set(r.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.contains("/") })
  }

  static func isIgnored(_ file: URL) -> Bool {
    let dir = file.deletingLastPathComponent()
    guard isInsideWorkTree(dir) else { return false }
    guard let r = Subprocess.run("git", ["check-ignore", "-q", "--", file.lastPathComponent], in: dir) else {
      return false
    }
    return r.status == 0
  }

  /// The ignore rule that decides whether git ignores `file`, the last one
  /// matching it, whether it ignores the file or re-includes it (`!pattern`);
  /// nil when no rule matches it or the folder is not in a work tree.
  static func ignoreRule(for file: URL) -> IgnoreRule? {
    let dir = file.deletingLastPathComponent()
    guard isInsideWorkTree(dir),
      let top = Subprocess.run("git", ["rev-parse", "--show-toplevel"], in: dir), top.status == 0,
      // -z (with --stdin) so no path is quoted; -n to hear about `!pattern` too.
      let r = Subprocess.run(
        "git", ["check-ignore", "--stdin", "-z", "-v", "-n"], in: dir, input: Data(file.lastPathComponent.utf8) + [0])
    else { return nil }
    let fields = r.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    guard fields.count >= 3, !fields[0].isEmpty, let line = Int(fields[1]) else { return nil }
    // The source is relative to the top of the work tree (or absolute, for core.excludesFile).
    let root = URL(fileURLWithPath: top.stdoutText.trimmingCharacters(in: .newlines))
    let source = fields[0].hasPrefix("/") ? URL(fileURLWithPath: fields[0]) : root.appendingPathComponent(fields[0])
    return IgnoreRule(source: source.standardizedFileURL, line: line, negated: fields[2].hasPrefix("!"))
  }

  struct IgnoreRule: Equatable {
    /// The file the rule is in: a .gitignore, .git/info/exclude or core.excludesFile.
    var source: URL
    var line: Int
    /// `!pattern`: the rule re-includes the file.
    var negated: Bool
  }
}
