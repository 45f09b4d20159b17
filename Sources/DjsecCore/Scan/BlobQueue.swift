import Foundation

/// Hands blobs from the one thread reading git's output to the threads
/// matching them, holding at most `limit` bytes in between: git inflates on
/// one core while Hyperscan runs on the others, and a slow matcher makes the
/// reader wait instead of growing memory.
///
/// Blobs travel in batches (`Batch`): most blobs in a history are a few KB,
/// and a lock, a wake-up and a context switch per blob cost more than
/// matching one (wagtail's 197,000 blobs spent 4 % of the scan in futexes).
final class BlobQueue: @unchecked Sendable {
  typealias Blob = (id: String, bytes: [UInt8])

  /// Blobs gathered by the reader until they are worth one hand-over.
  struct Batch {
    private(set) var blobs: [Blob] = []
    private(set) var bytes = 0
    static let maxBytes = 1 << 20
    static let maxBlobs = 256

    var isFull: Bool { bytes >= Self.maxBytes || blobs.count >= Self.maxBlobs }
    var isEmpty: Bool { blobs.isEmpty }

    mutating func append(_ id: String, _ bytes: [UInt8]) {
      blobs.append((id, bytes))
      self.bytes += bytes.count
    }
  }

  // @unchecked Sendable: every field is guarded by `condition`.
  private let condition = NSCondition()
  private var items: [Batch] = []
  private var head = 0
  private var pending = 0
  private var closed = false
  private let limit: Int

  init(limit: Int = 64 << 20) {
    self.limit = limit
  }

  /// Waits while the queue holds `limit` bytes or more (one batch larger than
  /// the limit still passes, alone).
  func push(_ batch: Batch) {
    guard !batch.isEmpty else { return }
    condition.lock()
    while pending > 0, pending + batch.bytes > limit, !closed { condition.wait() }
    items.append(batch)
    pending += batch.bytes
    condition.broadcast()
    condition.unlock()
  }

  /// The next batch, or nil once the queue is closed and empty.
  func pop() -> [Blob]? {
    condition.lock()
    defer { condition.unlock() }
    while head == items.count, !closed { condition.wait() }
    guard head < items.count else { return nil }
    let item = items[head]
    items[head] = Batch()
    head += 1
    if head > 1024, head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    pending -= item.bytes
    condition.broadcast()
    return item.blobs
  }

  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }
}
