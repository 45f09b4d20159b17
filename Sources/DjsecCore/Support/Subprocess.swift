import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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
///
/// Spawned with posix_spawn, not Foundation's Process: the first Process
/// launch in a process costs about 70 ms (measured with strace), which made
/// every store command (two git questions) several times slower than the
/// crypto it does.
enum Subprocess {
  struct Result {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
  }

  static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, input: Data? = nil) -> Result? {
    var toChild: [Int32] = [-1, -1]
    var fromOut: [Int32] = [-1, -1]
    var fromErr: [Int32] = [-1, -1]
    guard pipe(&toChild) == 0 else { return nil }
    guard pipe(&fromOut) == 0, pipe(&fromErr) == 0 else {
      for fd in toChild + fromOut where fd >= 0 { close(fd) }
      return nil
    }
    // No other descriptor of ours may leak into the child (dup2 below clears the flag on 0, 1 and 2).
    for fd in toChild + fromOut + fromErr { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromOut[1], 1)
    posix_spawn_file_actions_adddup2(&actions, fromErr[1], 2)
    // The folder is given to git as -C (every program run here is git):
    // posix_spawn's chdir action is a GNU extension Swift's Glibc does not export.
    precondition(directory == nil || executable == "git", "Subprocess.run changes folder for git only")
    let words = [executable] + (directory.map { ["-C", $0.path] } ?? []) + arguments
    let pid = spawn(words, actions: &actions)
    close(toChild[0])
    close(fromOut[1])
    close(fromErr[1])
    guard let pid else {
      for fd in [toChild[1], fromOut[0], fromErr[0]] { close(fd) }
      return nil
    }
    let (stdout, stderr) = exchange(input: input ?? Data(), writeTo: toChild[1], readFrom: fromOut[0], and: fromErr[0])
    guard let code = wait(pid) else { return nil }
    return Result(status: code, stdout: stdout, stderr: stderr)
  }

  /// Starts `words` (the program, found on PATH, and its arguments) with
  /// ChildEnvironment's variables and the given descriptor actions.
  static func spawn(_ words: [String], actions: inout posix_spawn_file_actions_t) -> pid_t? {
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = ChildEnvironment.variables().map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    return posix_spawnp(&pid, words[0], &actions, nil, argv, envp) == 0 ? pid : nil
  }

  /// Waits for `pid`; its exit status, or 128 + the signal for a child killed
  /// by one, as a shell reports it; nil if it cannot be waited for.
  static func wait(_ pid: pid_t) -> Int32? {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return nil }
    }
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }

  /// Writes `input` and reads both outputs in one poll loop, so neither side
  /// blocks the other on a full pipe; closes the three descriptors.
  private static func exchange(input: Data, writeTo inFD: Int32, readFrom outFD: Int32, and errFD: Int32) -> (Data, Data) {
    var out = Data()
    var err = Data()
    var written = 0
    var writer: Int32 = inFD
    if input.isEmpty {
      close(writer)
      writer = -1
    } else {
      _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
    }
    var readers = [outFD, errFD]
    var buffer = [UInt8](repeating: 0, count: 65536)
    // A child that exits without reading its input must not kill djsec with SIGPIPE.
    let oldPipe = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, oldPipe) }
    while !readers.isEmpty || writer >= 0 {
      var fds = readers.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      if writer >= 0 { fds.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
      if poll(&fds, nfds_t(fds.count), -1) < 0 {
        if errno == EINTR { continue }
        break
      }
      for entry in fds where entry.revents != 0 {
        if entry.fd == writer {
          let n = input.withUnsafeBytes { write(writer, $0.baseAddress! + written, $0.count - written) }
          if n > 0 { written += n }
          if n < 0, errno == EAGAIN || errno == EINTR { continue }
          if n <= 0 || written == input.count {
            close(writer)
            writer = -1
          }
          continue
        }
        let n = read(entry.fd, &buffer, buffer.count)
        if n > 0 {
          if entry.fd == outFD { out.append(contentsOf: buffer[0..<n]) } else { err.append(contentsOf: buffer[0..<n]) }
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
          close(entry.fd)
          readers.removeAll { $0 == entry.fd }
        }
      }
    }
    return (out, err)
  }
}

/// The few git questions `init`, `render` and `keys new` ask. git missing or
/// the folder not in a repository both mean "not tracked" and "not in a work
/// tree": a file outside every repository cannot be committed.
enum Git {
  static func isInsideWorkTree(_ directory: URL) -> Bool { workTree(directory) == .inside }

  enum WorkTree { case inside, outside, refused }

  /// Whether `directory` is in a work tree; `.refused` when git will not
  /// look (a repository another user owns: "dubious ownership"), which
  /// callers must not take for "outside every repository".
  static func workTree(_ directory: URL) -> WorkTree {
    guard let r = Subprocess.run("git", ["rev-parse", "--is-inside-work-tree"], in: directory) else { return .outside }
    if r.status == 0 { return r.stdoutText.hasPrefix("true") ? .inside : .outside }
    return String(decoding: r.stderr, as: UTF8.self).contains("safe.directory") ? .refused : .outside
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
    Set(trackedPaths(under: folder).filter { !$0.contains("/") })
  }

  /// Every path below `folder` that git tracks, relative to it; empty
  /// outside a repository.
  static func trackedPaths(under folder: URL) -> [String] {
    guard let r = Subprocess.run("git", ["ls-files", "-z", "--", "."], in: folder), r.status == 0 else { return [] }
    return r.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
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
