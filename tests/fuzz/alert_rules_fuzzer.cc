// Fuzzes tender alerts: procmatch::AlertIndex from JSON Lines records. The
// first line is the notice (a procmatch.v1.Tender), every further line an
// AlertRule, as `procmatch alerts --rules` reads them. Each rule goes through
// Validator::CheckAlertRule and AlertIndex::Builder::Add (which validates
// and compiles keywords and RE2 patterns again, and must refuse what the
// Validator refuses); the index is built and evaluates the notice.
//
// The oracle: AlertIndex::Evaluate (rules looked up by posting keys) must
// return exactly what EvaluateExhaustive (every rule verified) returns, in
// the same order; a difference aborts. A rule with a `profile` criterion
// needs a Matcher, which the harness does not give: its FailedPrecondition
// is an expected answer, and the two are compared only when both succeed.
//
// Protobuf's JSON parser refuses invalid UTF-8, but a notice built in code
// may carry it: the lots' text need not be valid (an invalid title or
// description is refused). So in the notice's title and description and its
// lots' titles and descriptions each code point U+F780 to U+F7FF (private
// use) becomes the raw byte 0x80 to 0xFF (as in UTF-8b): the seeds and the
// dictionary write invalid sequences that way (session 16).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "procmatch/alert_index.h"
#include "procmatch/record_io.h"
#include "procmatch/v1/alert.pb.h"
#include "procmatch/v1/tender.pb.h"
#include "tests/fuzz/harness.h"

namespace procmatch {
namespace fuzz {
namespace {

bool SameAlerts(const std::vector<v1::Alert>& a,
                const std::vector<v1::Alert>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

// `text` with each U+F780..U+F7FF (EF 9E 80 .. EF 9F BF) made the byte
// 0x80..0xFF.
std::string RawBytesOfEscapes(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char b = text[i];
    if (b == 0xEF && i + 2 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xFE) == 0x9E &&
        (static_cast<unsigned char>(text[i + 2]) & 0xC0) == 0x80) {
      out.push_back(static_cast<char>(0x80 | ((text[i + 1] & 1) << 6) |
                                      (text[i + 2] & 0x3F)));
      i += 2;
    } else {
      out.push_back(static_cast<char>(b));
    }
  }
  return out;
}

void RawBytesOfEscapes(std::string* text) {
  if (text->find('\xEF') == std::string::npos) return;
  *text = RawBytesOfEscapes(*text);
}

void FuzzAlertRules(absl::string_view content) {
  const auto [notice_line, rule_lines] = SplitFirstLine(content);

  // A notice line that does not parse leaves the empty notice.
  v1::Tender notice;
  ReadRecords<v1::Tender>(
      "notice", notice_line, RecordFormat::kJsonLines,
      [&](int, v1::Tender t) { notice = std::move(t); }, [](absl::Status) {},
      FuzzRecordLimits())
      .IgnoreError();
  RawBytesOfEscapes(notice.mutable_title());
  RawBytesOfEscapes(notice.mutable_description());
  for (v1::Lot& lot : *notice.mutable_lots()) {
    RawBytesOfEscapes(lot.mutable_title());
    RawBytesOfEscapes(lot.mutable_description());
  }

  AlertIndex::Builder builder;
  ReadRecords<v1::AlertRule>(
      "rules", rule_lines, RecordFormat::kJsonLines,
      [&](int, v1::AlertRule rule) {
        const bool valid = SharedValidator().CheckAlertRule(rule).empty();
        const absl::Status added = builder.Add(rule);
        // Add validates first: it never takes a rule the Validator refuses.
        if (added.ok() && !valid) {
          std::fprintf(stderr, "Add accepted an invalid rule\n");
          std::abort();
        }
      },
      [](absl::Status) {}, FuzzRecordLimits())
      .IgnoreError();
  absl::StatusOr<std::shared_ptr<const AlertIndex>> index =
      std::move(builder).Build();
  if (!index.ok()) return;

  EvaluationContext context;
  context.now =
      absl::FromCivil(absl::CivilDay(2024, 6, 1), absl::UTCTimeZone());
  absl::StatusOr<std::vector<v1::Alert>> indexed =
      (*index)->Evaluate(notice, context);
  absl::StatusOr<std::vector<v1::Alert>> exhaustive =
      (*index)->EvaluateExhaustive(notice, context);
  if (indexed.ok() && exhaustive.ok() && !SameAlerts(*indexed, *exhaustive)) {
    std::fprintf(stderr, "Evaluate: %zu alerts, EvaluateExhaustive: %zu\n",
                 indexed->size(), exhaustive->size());
    std::abort();
  }
  // The structured matches name the rules Evaluate explains.
  absl::StatusOr<AlertMatches> matches = (*index)->Match(notice, context);
  if (matches.ok() != indexed.ok() ||
      (matches.ok() && matches->size() != static_cast<int>(indexed->size()))) {
    std::fprintf(stderr, "Match and Evaluate disagree\n");
    std::abort();
  }
  for (int i = 0; matches.ok() && i < matches->size(); ++i) {
    if ((*index)->rule((*matches)[i].rule).id() != (*indexed)[i].rule_id()) {
      std::fprintf(stderr, "Match %d names another rule\n", i);
      std::abort();
    }
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace procmatch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > procmatch::fuzz::kMaxInputBytes) return 0;
  procmatch::fuzz::FuzzAlertRules(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
