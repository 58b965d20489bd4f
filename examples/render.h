// File: examples/render.h
//
// The procmatch tool's table output: one block per tender with its ranked
// suppliers, their main reasons and, on request, every score component and
// requirement outcome. Names are cut and padded by characters (UTF-8 code
// points), never inside one, so that Bulgarian, Greek or Polish names line
// up and stay valid UTF-8.
//
// Example:
//
//   procmatch::cli::PrintTable(tender, *response, /*explain=*/false,
//                              std::cout);
//   procmatch::cli::Cell("Kempen Avionics NV", 10);  // "Kempen Av…"
#ifndef PROCMATCH_EXAMPLES_RENDER_H_
#define PROCMATCH_EXAMPLES_RENDER_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "procmatch/v1/match.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {
namespace cli {

// `text` (UTF-8) as exactly `width` code points: padded with spaces when
// shorter; when longer, its first `width - 1` code points and "…". A cut
// falls on a code point boundary, so valid UTF-8 in is valid UTF-8 out.
// (Code points, not display columns: combining marks and wide CJK characters
// are not measured; procmatch's names are European.)
std::string Cell(const std::string& text, size_t width);

// "cpv", "track record": the component's name in lower-case words.
std::string ComponentName(v1::ScoreComponentKind kind);

// The details of a match's two largest contributions, joined by "; ".
std::string ShortDetail(const v1::SupplierMatch& m);

// Writes `r`, the response for `tender`, as a table to `out`; with `explain`,
// every score component and requirement outcome under each match. A rank of
// 0 (not known) is shown as "-".
void PrintTable(const v1::Tender& tender, const v1::MatchResponse& r,
                bool explain, std::ostream& out);

}  // namespace cli
}  // namespace procmatch

#endif  // PROCMATCH_EXAMPLES_RENDER_H_
