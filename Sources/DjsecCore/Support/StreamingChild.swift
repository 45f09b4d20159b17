import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A git process whose output is read as a stream and, for `cat-file
/// --batch`, whose input a thread of ours writes. Spawned with posix_spawn,
/// like Subprocess: Foundation's Process waits for its child through a run
/// loop that wakes every 50 ms, which cost a `scan --staged` two such naps
/// (137 ms in a wagtail clone, for 10 ms of git).
final class StreamingChild: @unchecked Sendable {
  // @unchecked Sendable: the descriptors are plain integers, each used by one thread.
  let pid: pid_t
  /// The read end of the child's stdout.
  let output: Int32
  /// The write end of the child's stdin, when it was asked for.
  private(set) var input: Int32?

  private init(pid: pid_t, output: Int32, input: Int32?) {
    self.pid = pid
    self.output = output
    self.input = input
  }

  /// Starts `git -C directory arguments…` with stderr discarded and stdin
  /// either a pipe of ours (`input: true`) or /dev/null.
  static func git(_ arguments: [String], in directory: URL, input wantsInput: Bool = false) -> StreamingChild? {
    // A child that exits early must give a writer EPIPE, not kill djsec.
    signal(SIGPIPE, SIG_IGN)
    var fromOut: [Int32] = [-1, -1]
    var toChild: [Int32] = [-1, -1]
    guard pipe(&fromOut) == 0 else { return nil }
    if wantsInput, pipe(&toChild) != 0 {
      fromOut.forEach { close($0) }
      return nil
    }
    for fd in fromOut + toChild where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if wantsInput {
      posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, fromOut[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let pid = Subprocess.spawn(["git", "-C", directory.path] + arguments, actions: &actions)
    close(fromOut[1])
    if wantsInput { close(toChild[0]) }
    guard let pid else {
      close(fromOut[0])
      if wantsInput { close(toChild[1]) }
      return nil
    }
    // A 1 MiB pipe (the default is 64 KiB) means fewer wake-ups on both sides.
    _ = fcntl(fromOut[0], 1031 /* F_SETPIPE_SZ */, 1 << 20)
    return StreamingChild(pid: pid, output: fromOut[0], input: wantsInput ? toChild[1] : nil)
  }

  /// Writes all of `bytes` to the child's stdin; false once the child stopped reading.
  func write(_ bytes: [UInt8]) -> Bool {
    guard let fd = input else { return false }
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { return false }
      done += n
    }
    return true
  }

  func closeInput() {
    if let fd = input { close(fd) }
    input = nil
  }

  func terminate() { kill(pid, SIGTERM) }

  /// Waits for the child and closes its output; the exit status as
  /// Subprocess.wait gives it, -1 if it cannot be waited for.
  func wait() -> Int32 {
    close(output)
    return Subprocess.wait(pid) ?? -1
  }
}
