// RunCtgovPipeline: the parser thread's sink, which turns the reader's calls
// into chunks of events, and the hand-over to the consuming thread.
#include "services/catalog/ctgov_pipeline.h"

#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "common/bounded_queue.h"

namespace regenatlas::catalog {
namespace {

using Chunk = std::vector<CtgovEvent>;

// Runs on the parser thread: studies are read into the model here, so the
// consumer only applies them.
class ParserSink : public CtgovJsonSink {
 public:
  ParserSink(BoundedQueue<Chunk>& queue, const CtgovPipelineOptions& options)
      : queue_(queue),
        chunk_events_(options.chunk_events < 1 ? 1 : options.chunk_events),
        prepare_(options.prepare) {}

  absl::Status OnStudy(const std::string& path, const rapidjson::Value& study) override {
    CtgovEvent e;
    e.kind = CtgovEvent::Kind::kStudy;
    e.study = ctgov::ParseStudy(study, path);
    if (prepare_ && e.study.study.has_value()) prepare_(*e.study.study);
    Add(std::move(e));
    // The consumer gave up (a store failure, which it reports): stop reading.
    if (cancelled_) return absl::CancelledError("import stopped");
    return absl::OkStatus();
  }

  void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                   const std::string& nct_id, const std::string& message) override {
    CtgovEvent e;
    e.kind = CtgovEvent::Kind::kBadRecord;
    e.record_path = record_path;
    e.problem_path = problem_path;
    e.nct_id = nct_id;
    e.message = message;
    Add(std::move(e));
  }

  void OnFileProblem(bool error, const std::string& path, const std::string& message) override {
    CtgovEvent e;
    e.kind = CtgovEvent::Kind::kFileProblem;
    e.error = error;
    e.problem_path = path;
    e.message = message;
    Add(std::move(e));
  }

  void OnProgress(int64_t bytes_read) override {
    CtgovEvent e;
    e.kind = CtgovEvent::Kind::kProgress;
    e.bytes_read = bytes_read;
    Add(std::move(e));
  }

  // Hands over what is left.
  void Flush() {
    if (chunk_.empty() || cancelled_) return;
    if (!queue_.Push(std::move(chunk_))) cancelled_ = true;
    chunk_ = Chunk();
  }

 private:
  void Add(CtgovEvent e) {
    if (cancelled_) return;
    chunk_.push_back(std::move(e));
    if (chunk_.size() >= chunk_events_) Flush();
  }

  BoundedQueue<Chunk>& queue_;
  const size_t chunk_events_;
  const std::function<void(ctgov::Study&)>& prepare_;
  Chunk chunk_;
  bool cancelled_ = false;
};

}  // namespace

absl::StatusOr<CtgovFileInfo> RunCtgovPipeline(
    const CtgovReadFunction& read, const std::function<absl::Status(CtgovEvent& event)>& consume,
    const CtgovPipelineOptions& options) {
  BoundedQueue<Chunk> queue(options.queue_chunks);
  std::optional<absl::StatusOr<CtgovFileInfo>> info;
  std::thread parser([&] {
    ParserSink sink(queue, options);
    info.emplace(read(sink));
    sink.Flush();
    queue.Close();
  });
  absl::Status failure;
  while (failure.ok()) {
    std::optional<Chunk> chunk = queue.Pop();
    if (!chunk.has_value()) break;
    for (CtgovEvent& e : *chunk) {
      failure = consume(e);
      if (!failure.ok()) break;
    }
  }
  // Wakes a parser blocked on a full queue; it stops at its next study.
  if (!failure.ok()) queue.Cancel();
  parser.join();
  if (!failure.ok()) return failure;
  return *std::move(info);
}

}  // namespace regenatlas::catalog
