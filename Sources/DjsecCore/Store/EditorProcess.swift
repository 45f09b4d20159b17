import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the user's editor on the plaintext copy and waits for it, with the
/// copy's signal guard told that the editor is running (see `CopyGuard`).
enum EditorProcess {
  enum Exit: Equatable {
    case exited(Int32)
    case killed(signal: Int32)
    /// djsec itself received SIGTERM or SIGHUP; the editor was asked to end
    /// with the same signal and is gone.
    case interrupted(signal: Int32)
    case cannotStart(errno: Int32)
  }

  /// How long an editor may take to end after djsec passed it SIGTERM or
  /// SIGHUP (vim saves its swap file) before it is killed.
  static let grace: Double = 3

  /// `command` is run by /bin/sh as $EDITOR is everywhere (it may hold
  /// arguments: "code --wait"). A simple command is exec'd, so the editor is
  /// djsec's own child and receives the signals djsec passes on.
  static func run(_ command: String, file: URL) -> Exit {
    let compound = command.contains { ";&|<>()`\n".contains($0) }
    let script = (compound ? "" : "exec ") + command + " \"$1\""
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The editor starts with default signal actions and an empty mask,
    // whatever djsec had: an inherited "ignore SIGINT" would break Ctrl-C.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in CopyGuard.signals + [SIGPIPE] { sigaddset(&defaults, signal) }
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let words = ["/bin/sh", "-c", script, "djsec-edit", file.path]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }

    CopyGuard.pending.store(0, ordering: .sequentiallyConsistent)
    CopyGuard.editorRunning.store(true, ordering: .sequentiallyConsistent)
    defer { CopyGuard.editorRunning.store(false, ordering: .sequentiallyConsistent) }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ)
    guard spawned == 0 else { return .cannotStart(errno: spawned) }
    let status = wait(for: pid)
    CopyGuard.editorRunning.store(false, ordering: .sequentiallyConsistent)
    let received = CopyGuard.pending.load(ordering: .sequentiallyConsistent)
    if received != 0 { return .interrupted(signal: received) }
    guard let status else { return .exited(127) }
    let signal = status & 0x7f
    return signal == 0 ? .exited((status >> 8) & 0xff) : .killed(signal: signal)
  }

  /// Waits for the editor, polling (so a signal handled on another thread is
  /// seen): a noted SIGTERM or SIGHUP is passed on to the editor, and an
  /// editor that outlives the grace period is killed. nil if it was lost.
  private static func wait(for pid: pid_t) -> Int32? {
    var passedOn = false
    var deadline = Date.distantFuture
    while true {
      var status: Int32 = 0
      let r = waitpid(pid, &status, WNOHANG)
      if r == pid { return status }
      if r < 0, errno != EINTR { return nil }
      let received = CopyGuard.pending.load(ordering: .sequentiallyConsistent)
      if received != 0, !passedOn {
        passedOn = true
        kill(pid, received)
        deadline = Date().addingTimeInterval(grace)
      }
      if Date() > deadline { kill(pid, SIGKILL) }
      usleep(20_000)
    }
  }
}
