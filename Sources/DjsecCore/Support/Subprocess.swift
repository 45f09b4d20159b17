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

  static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) -> Result? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    process.environment = ChildEnvironment.variables()
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
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

/// The few git questions `init` asks. git missing or the folder not in a
/// repository both mean "not tracked", which is the safe answer for writing.
enum Git {
  static func isInsideWorkTree(_ directory: URL) -> Bool {
    guard let r = Subprocess.run("git", ["rev-parse", "--is-inside-work-tree"], in: directory) else { return false }
    return r.status == 0 && r.stdoutText.hasPrefix("true")
  }

  static func isTracked(_ file: URL) -> Bool {
    let dir = file.deletingLastPathComponent()
    guard FileManager.default.fileExists(atPath: dir.path), isInsideWorkTree(dir) else { return false }
    guard let r = Subprocess.run("git", ["ls-files", "--error-unmatch", "--", file.lastPathComponent], in: dir) else {
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
}
