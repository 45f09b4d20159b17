import Foundation

/// Where a scan is, for a progress line on a terminal: the phase, how many
/// bytes of how many (when known: the pack files' size, or the blobs a
/// range introduced), blobs read and findings so far. The CLI draws it;
/// nothing here prints.
public struct ScanProgress: Sendable, Equatable {
  public enum Phase: String, Sendable {
    /// Finding what to read (a range's `git log`, the packs' indexes).
    case listing
    /// Inflating and matching blobs.
    case reading
    /// Tying findings to the commits that introduced them (`git log --raw`).
    case attributing
  }

  public var phase: Phase
  public var bytesDone = 0
  public var bytesTotal: Int?
  public var blobs = 0
  /// Distinct secrets found so far (a key in 300 versions of a file is one).
  public var findings = 0
}

/// Counts a scan's progress from every worker and hands a snapshot to the
/// CLI at most ten times a second (and at each change of phase).
final class ProgressMeter: @unchecked Sendable {
  // @unchecked Sendable: `state` and `lastSent` are guarded by `lock`.
  private let lock = NSLock()
  private var state: ScanProgress
  private var lastSent = 0.0
  private var secrets = Set<[UInt8]>()
  private let sink: @Sendable (ScanProgress) -> Void

  init(total: Int? = nil, _ sink: @escaping @Sendable (ScanProgress) -> Void) {
    state = ScanProgress(phase: .listing, bytesTotal: total)
    self.sink = sink
  }

  func phase(_ phase: ScanProgress.Phase, total: Int? = nil) {
    let snapshot = lock.withLock {
      state.phase = phase
      if let total { state.bytesTotal = total }
      lastSent = Self.now
      return state
    }
    sink(snapshot)
  }

  func add(bytes: Int = 0, blobs: Int = 0, secrets found: some Sequence<[UInt8]> = [[UInt8]]()) {
    let snapshot: ScanProgress? = lock.withLock {
      state.bytesDone += bytes
      state.blobs += blobs
      secrets.formUnion(found)
      state.findings = secrets.count
      let now = Self.now
      guard now - lastSent >= 0.1 else { return nil }
      lastSent = now
      return state
    }
    if let snapshot { sink(snapshot) }
  }

  private static var now: Double { Date.timeIntervalSinceReferenceDate }
}
