import Foundation

/// Hands blobs from the one thread reading git's output to the threads
/// matching them, holding at most `limit` bytes in between: git inflates on
/// one core while Hyperscan runs on the others, and a slow matcher makes the
/// reader wait instead of growing memory.
final class BlobQueue: @unchecked Sendable {
  // @unchecked Sendable: every field is guarded by `condition`.
  private let condition = NSCondition()
  private var items: [(id: String, bytes: [UInt8])] = []
  private var head = 0
  private var pending = 0
  private var closed = false
  private let limit: Int

  init(limit: Int = 64 << 20) {
    self.limit = limit
  }

  /// Waits while the queue holds `limit` bytes or more (one blob larger than
  /// the limit still passes, alone).
  func push(_ id: String, _ bytes: [UInt8]) {
    condition.lock()
    while pending > 0, pending + bytes.count > limit, !closed { condition.wait() }
    items.append((id, bytes))
    pending += bytes.count
    condition.broadcast()
    condition.unlock()
  }

  /// The next blob, or nil once the queue is closed and empty.
  func pop() -> (id: String, bytes: [UInt8])? {
    condition.lock()
    defer { condition.unlock() }
    while head == items.count, !closed { condition.wait() }
    guard head < items.count else { return nil }
    let item = items[head]
    items[head].bytes = []
    head += 1
    if head > 4096, head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    pending -= item.bytes.count
    condition.broadcast()
    return item
  }

  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }
}
