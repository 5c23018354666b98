// The ICTRP XML reader (ictrp_xml.h): expat callbacks collect one <Trial>'s
// child elements into IctrpFields; each finished trial is mapped
// (ictrp_record.h) and queued, and Next() feeds expat another chunk only when
// the queue is empty.

#include "services/catalog/ictrp_xml.h"

#include <expat.h>

#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/catalog/ictrp_record.h"
#include "services/catalog/registry_values.h"

namespace regenatlas::catalog {
namespace {

constexpr absl::string_view kRootName = "Trials_downloaded_from_ICTRP";

class IctrpXmlReader : public RegistryReader {
 public:
  IctrpXmlReader(std::unique_ptr<ByteSource> source, std::string file, IctrpXmlOptions options)
      : source_(std::move(source)), file_(std::move(file)), options_(options) {
    parser_ = XML_ParserCreate(nullptr);
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &IctrpXmlReader::OnStart, &IctrpXmlReader::OnEnd);
    XML_SetCharacterDataHandler(parser_, &IctrpXmlReader::OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &IctrpXmlReader::OnDoctype);
  }
  ~IctrpXmlReader() override { XML_ParserFree(parser_); }

  std::optional<RegistryItem> Next() override {
    while (queue_.empty() && !finished_) Feed();
    if (queue_.empty()) return std::nullopt;
    RegistryItem item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }

  int64_t bytes_read() const override { return source_->offset(); }

 private:
  static IctrpXmlReader* Self(void* data) { return static_cast<IctrpXmlReader*>(data); }

  static void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** /*attrs*/) {
    IctrpXmlReader* self = Self(data);
    ++self->depth_;
    if (self->depth_ == 1) {
      self->root_ = name;
    } else if (self->depth_ == 2 && absl::string_view(name) == "Trial") {
      self->in_trial_ = true;
      ++self->trials_;
      self->fields_.clear();
      self->record_bytes_ = 0;
      self->location_ =
          RecordLocation{self->file_, self->trials_,
                         static_cast<int64_t>(XML_GetCurrentLineNumber(self->parser_)), false};
    } else if (self->depth_ == 3 && self->in_trial_) {
      self->field_name_ = name;
      self->field_value_.clear();
    }
  }

  static void XMLCALL OnEnd(void* data, const XML_Char* /*name*/) {
    IctrpXmlReader* self = Self(data);
    if (self->depth_ == 3 && self->in_trial_) {
      AddIctrpField(self->fields_, self->field_name_, self->field_value_);
      self->field_value_.clear();
    } else if (self->depth_ == 2 && self->in_trial_) {
      self->in_trial_ = false;
      self->queue_.push_back(
          BuildIctrpRecord(self->fields_, self->location_, RegistryFileFormat::kIctrpXml));
      self->fields_.clear();
    }
    --self->depth_;
  }

  static void XMLCALL OnText(void* data, const XML_Char* text, int len) {
    IctrpXmlReader* self = Self(data);
    // Text of a field, including that of any markup nested in it.
    if (!self->in_trial_ || self->depth_ < 3) return;
    self->record_bytes_ += static_cast<size_t>(len);
    if (self->record_bytes_ > self->options_.max_record_bytes) {
      self->stop_message_ = absl::StrCat("the <Trial> holds more than ",
                                         self->options_.max_record_bytes, " bytes of text");
      XML_StopParser(self->parser_, XML_FALSE);
      return;
    }
    self->field_value_.append(text, static_cast<size_t>(len));
  }

  static void XMLCALL OnDoctype(void* data, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                                const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
    IctrpXmlReader* self = Self(data);
    self->stop_message_ =
        "the document has a DTD (<!DOCTYPE>); ICTRP exports have none, and DTDs are not read";
    XML_StopParser(self->parser_, XML_FALSE);
  }

  // Parses the next chunk (or the end of the input), queueing what it
  // completes, and a fatal error if parsing fails.
  void Feed() {
    absl::StatusOr<absl::string_view> chunk = source_->Read();
    if (!chunk.ok()) {
      Fail(std::string(chunk.status().message()));
      return;
    }
    const bool last = chunk->empty();
    if (XML_Parse(parser_, chunk->data(), static_cast<int>(chunk->size()), last ? 1 : 0) ==
        XML_STATUS_ERROR) {
      std::string message = stop_message_;
      if (message.empty()) {
        message = absl::StrCat(last && XML_GetErrorCode(parser_) != XML_ERROR_JUNK_AFTER_DOC_ELEMENT
                                   ? "the file ends too early or is not well-formed XML: "
                                   : "not well-formed XML: ",
                               XML_ErrorString(XML_GetErrorCode(parser_)), " at line ",
                               XML_GetCurrentLineNumber(parser_), ", column ",
                               XML_GetCurrentColumnNumber(parser_) + 1);
      }
      Fail(std::move(message));
      return;
    }
    if (!last) return;
    finished_ = true;
    if (trials_ == 0 && root_ != kRootName) {
      RecordError e;
      e.location.file = file_;
      e.message = absl::StrCat("not a WHO ICTRP export: the root element is <", root_, ">, not <",
                               kRootName, ">, and it holds no <Trial> elements");
      e.fatal = true;
      queue_.push_back(std::move(e));
    }
  }

  void Fail(std::string message) {
    RecordError e;
    if (in_trial_) {
      e.location = location_;
      e.field = depth_ >= 3 ? field_name_ : "";
      // The ID, when the trial's TrialID element was read before the problem.
      auto it = fields_.find("trialid");
      if (it != fields_.end()) e.primary_id = CleanText(it->second.second);
      e.message = std::move(message);
    } else {
      e.location.file = file_;
      e.location.line = static_cast<int64_t>(XML_GetCurrentLineNumber(parser_));
      e.message = std::move(message);
    }
    e.fatal = true;
    queue_.push_back(std::move(e));
    finished_ = true;
  }

  std::unique_ptr<ByteSource> source_;
  std::string file_;
  IctrpXmlOptions options_;
  XML_Parser parser_;
  std::deque<RegistryItem> queue_;
  bool finished_ = false;
  int depth_ = 0;
  std::string root_;
  bool in_trial_ = false;
  int64_t trials_ = 0;
  RecordLocation location_;
  IctrpFields fields_;
  std::string field_name_;
  std::string field_value_;
  size_t record_bytes_ = 0;
  std::string stop_message_;
};

}  // namespace

std::unique_ptr<RegistryReader> NewIctrpXmlReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, IctrpXmlOptions options) {
  return std::make_unique<IctrpXmlReader>(std::move(source), std::move(file), options);
}

}  // namespace regenatlas::catalog
