#include "procmatch/coverage_render.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace procmatch {
namespace {

// ---------------------------------------------------------------------------
// CSV.

std::string CsvCell(const std::string& text) {
  std::string cell = text;
  if (!cell.empty() && std::string("=+-@").find(cell[0]) != std::string::npos) {
    cell = "'" + cell;
  }
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string Number(double v) { return absl::StrFormat("%.6g", v); }
std::string Money(double v) { return absl::StrFormat("%.2f", v); }

class Csv {
 public:
  explicit Csv(std::vector<std::string> header) { Row(header); }
  // Text cells are escaped; numbers are given already formatted.
  void Row(const std::vector<std::string>& cells) {
    std::vector<std::string> escaped;
    for (const std::string& c : cells) escaped.push_back(CsvCell(c));
    absl::StrAppend(&out_, absl::StrJoin(escaped, ","), "\r\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Bool(bool b) { return b ? "true" : "false"; }

// ---------------------------------------------------------------------------
// HTML.

std::string Html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Percent(double share) {
  return absl::StrFormat("%.0f%%", 100 * share);
}

std::string Millions(double value) {
  return absl::StrFormat("%.1f M", value / 1e6);
}

std::string AreaLabel(const v1::AreaCoverage& a) {
  std::string label = a.area().name().empty() ? a.area().id() : a.area().name();
  if (label.size() > 38) label = label.substr(0, 36) + "..";
  return label;
}

const google::protobuf::RepeatedPtrField<v1::RegionCount>& RegionsAt(
    const v1::AreaCoverage& a, int level) {
  return level == 1 ? a.regions_level1() : a.regions();
}

constexpr int kLabelWidth = 260;
constexpr size_t kMaxColumns = 24;
constexpr char kOtherRegions[] = "other";
constexpr int kRowHeight = 22;

// White to dark blue by count; 0 is a pale red, so that holes show.
std::string HeatColour(int n, int max) {
  if (n == 0) return "#fbe3e1";
  const double t = max > 0 ? static_cast<double>(n) / max : 0;
  const int r = static_cast<int>(222 - t * (222 - 8));
  const int g = static_cast<int>(235 - t * (235 - 48));
  const int b = static_cast<int>(247 - t * (247 - 107));
  return absl::StrFormat("#%02x%02x%02x", r, g, b);
}

std::string HeatMap(const v1::CoverageReport& report, std::string* reading) {
  const int level = report.nuts_level() == 1 ? 1 : 2;
  // The regions with the most qualified suppliers, at most kMaxColumns of
  // them (a Europe-wide report has hundreds); the rest make one column.
  std::map<std::string, int> totals;
  for (const v1::AreaCoverage& a : report.areas()) {
    for (const v1::RegionCount& r : RegionsAt(a, level)) {
      totals[r.nuts_code()] += r.suppliers();
    }
  }
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [code, n] : totals) ranked.emplace_back(-n, code);
  std::sort(ranked.begin(), ranked.end());
  std::set<std::string> kept;
  for (size_t i = 0; i < ranked.size() && i < kMaxColumns; ++i) {
    kept.insert(ranked[i].second);
  }
  const bool other = ranked.size() > kMaxColumns;
  auto column_of = [&](const std::string& code) {
    return kept.count(code) ? code : std::string(kOtherRegions);
  };
  std::vector<std::string> columns(kept.begin(), kept.end());
  if (other) columns.push_back(kOtherRegions);
  int max = 0;
  for (const v1::AreaCoverage& a : report.areas()) {
    std::map<std::string, int> count;
    for (const v1::RegionCount& r : RegionsAt(a, level)) {
      max = std::max(max, count[column_of(r.nuts_code())] += r.suppliers());
    }
  }
  const int cell = 46;
  const int width = kLabelWidth + cell * std::max<int>(1, columns.size()) + 10;
  const int height = 40 + kRowHeight * report.areas_size() + 10;
  std::string svg = absl::StrFormat(
      "<svg role=\"img\" aria-label=\"qualified suppliers by area and "
      "region\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
      width, height, width, height);
  for (size_t c = 0; c < columns.size(); ++c) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"28\" class=\"col\">%s</text>",
                          kLabelWidth + static_cast<int>(c) * cell + cell / 2,
                          Html(columns[c].empty() ? "n/a" : columns[c]));
  }
  std::string best_area, best_region;
  int best = -1, empty_rows = 0;
  for (int i = 0; i < report.areas_size(); ++i) {
    const v1::AreaCoverage& a = report.areas(i);
    const int y = 40 + i * kRowHeight;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"%d\" class=\"row\">%s</text>",
                          kLabelWidth - 6, y + 15, Html(AreaLabel(a)));
    std::map<std::string, int> count;
    for (const v1::RegionCount& r : RegionsAt(a, level)) {
      count[column_of(r.nuts_code())] += r.suppliers();
    }
    if (count.empty()) ++empty_rows;
    for (size_t c = 0; c < columns.size(); ++c) {
      const int n = count.count(columns[c]) ? count[columns[c]] : 0;
      if (n > best) {
        best = n;
        best_area = AreaLabel(a);
        best_region = columns[c];
      }
      const int x = kLabelWidth + static_cast<int>(c) * cell;
      absl::StrAppendFormat(
          &svg,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
          "stroke=\"#ffffff\"/><text x=\"%d\" y=\"%d\" class=\"%s\">%d</text>",
          x, y, cell, kRowHeight, HeatColour(n, max), x + cell / 2, y + 15,
          max > 0 && n * 2 > max ? "num light" : "num", n);
    }
  }
  svg += "</svg>";
  if (best > 0) {
    *reading = absl::StrFormat(
        "Most qualified suppliers: %s in %s (%d). %d of %d areas have no "
        "qualified supplier in any region.",
        best_area, best_region.empty() ? "no stated region" : best_region, best,
        empty_rows, report.areas_size());
  } else {
    *reading = "No area has a qualified supplier in scope.";
  }
  return svg;
}

// Horizontal bars, one per area with a value; `scale` is the value of a
// full bar; `marks` are vertical reference lines (value, label).
std::string Bars(const v1::CoverageReport& report, const std::string& label,
                 double scale,
                 const std::vector<std::pair<double, std::string>>& marks,
                 double (*value)(const v1::AreaCoverage&),
                 std::string (*text)(const v1::AreaCoverage&),
                 bool (*shown)(const v1::AreaCoverage&)) {
  const int bar_width = 420;
  std::vector<const v1::AreaCoverage*> rows;
  for (const v1::AreaCoverage& a : report.areas()) {
    if (shown(a)) rows.push_back(&a);
  }
  const int width = kLabelWidth + bar_width + 200;
  const int height = 30 + kRowHeight * std::max<int>(1, rows.size()) + 10;
  std::string svg = absl::StrFormat(
      "<svg role=\"img\" aria-label=\"%s\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\">",
      Html(label), width, height, width, height);
  if (rows.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"10\" y=\"40\" class=\"note\">No award "
                          "value in scope.</text></svg>");
    return svg;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const int y = 30 + static_cast<int>(i) * kRowHeight;
    const double v = std::min(1.0, std::max(0.0, value(*rows[i]) / scale));
    absl::StrAppendFormat(
        &svg,
        "<text x=\"%d\" y=\"%d\" class=\"row\">%s</text>"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#dde3ea\"/>"
        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
        "fill=\"#1f4e79\"/><text x=\"%d\" y=\"%d\" class=\"val\">%s</text>",
        kLabelWidth - 6, y + 15, Html(AreaLabel(*rows[i])), kLabelWidth, y + 3,
        bar_width, kRowHeight - 6, kLabelWidth, y + 3, v * bar_width,
        kRowHeight - 6, kLabelWidth + bar_width + 6, y + 15,
        Html(text(*rows[i])));
  }
  for (const auto& [at, name] : marks) {
    const double x = kLabelWidth + std::min(1.0, at / scale) * bar_width;
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" "
        "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"16\" "
        "class=\"mark\">%s</text>",
        x, x, height - 8, x, Html(name));
  }
  svg += "</svg>";
  return svg;
}

bool HasValue(const v1::AreaCoverage& a) {
  return a.award_history().value() > 0;
}
bool HasContracts(const v1::AreaCoverage& a) {
  return a.award_history().contracts() > 0;
}
// Dependence by number of contracts: values are often missing from award
// notices, numbers never are.
double ForeignShare(const v1::AreaCoverage& a) {
  return a.award_history().foreign_contract_share();
}
std::string ForeignText(const v1::AreaCoverage& a) {
  const v1::AwardHistory& h = a.award_history();
  std::string text =
      absl::StrCat(Percent(h.foreign_contract_share()), " of ", h.contracts());
  if (h.value() > 0) {
    absl::StrAppend(&text, " (", Percent(h.foreign_value_share()),
                    " of value)");
  }
  return text;
}
double Hhi(const v1::AreaCoverage& a) { return a.award_history().hhi(); }
std::string HhiText(const v1::AreaCoverage& a) {
  return absl::StrFormat("%.0f", a.award_history().hhi());
}

struct YearSum {
  double contracts = 0;
  double foreign = 0;  // Contracts won abroad.
};

// Contracts by year, the part won abroad in red. By number, not value:
// values are often missing from award notices.
std::string Trend(const v1::CoverageReport& report, std::string* reading) {
  // A contract in several areas is counted in each: the trend is of area
  // totals, as the tables are.
  std::map<int, YearSum> years;
  for (const v1::AreaCoverage& a : report.areas()) {
    for (const v1::YearTrend& y : a.award_history().by_year()) {
      YearSum& s = years[y.year()];
      s.contracts += y.contracts();
      s.foreign += y.foreign_contracts();
    }
  }
  const int plot = 480, bar_area = 200;
  const int width = 80 + plot + 60, height = bar_area + 70;
  std::string svg = absl::StrFormat(
      "<svg role=\"img\" aria-label=\"contracts by year\" width=\"%d\" "
      "height=\"%d\" viewBox=\"0 0 %d %d\">",
      width, height, width, height);
  double max = 0;
  for (const auto& [year, s] : years) max = std::max(max, s.contracts);
  if (years.empty() || max <= 0) {
    *reading = "No dated contract in scope.";
    return svg +
           "<text x=\"10\" y=\"40\" class=\"note\">No dated contract in "
           "scope.</text></svg>";
  }
  const int n = static_cast<int>(years.size());
  const double slot = static_cast<double>(plot) / n;
  int i = 0;
  for (const auto& [year, s] : years) {
    const double x = 80 + i * slot + slot * 0.15;
    const double w = slot * 0.7;
    const double h_all = bar_area * s.contracts / max;
    const double h_foreign = bar_area * s.foreign / max;
    absl::StrAppendFormat(
        &svg,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
        "fill=\"#9fb7cf\"/><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
        "height=\"%.1f\" fill=\"#c0392b\"/><text x=\"%.1f\" y=\"%d\" "
        "class=\"col\">%d</text>",
        x, 20 + bar_area - h_all, w, h_all, x, 20 + bar_area - h_foreign, w,
        h_foreign, x + w / 2, bar_area + 38, year);
    ++i;
  }
  absl::StrAppendFormat(
      &svg,
      "<text x=\"74\" y=\"26\" class=\"row\">%.0f</text>"
      "<text x=\"74\" y=\"%d\" class=\"row\">0</text>"
      "<rect x=\"80\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#9fb7cf\"/>"
      "<text x=\"96\" y=\"%d\" class=\"legend\">contracts</text>"
      "<rect x=\"220\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#c0392b\"/>"
      "<text x=\"236\" y=\"%d\" class=\"legend\">won abroad</text></svg>",
      max, 20 + bar_area, bar_area + 50, bar_area + 59, bar_area + 50,
      bar_area + 59);
  const auto& first = *years.begin();
  const auto& last = *years.rbegin();
  auto share = [](const YearSum& s) {
    return s.contracts > 0 ? s.foreign / s.contracts : 0;
  };
  *reading = absl::StrFormat(
      "Contracts won abroad: %s of %.0f in %d, %s of %.0f in %d (%d years "
      "with contracts).",
      Percent(share(first.second)), first.second.contracts, first.first,
      Percent(share(last.second)), last.second.contracts, last.first, n);
  return svg;
}

const char kStyle[] = R"(
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       color: #1b1b1b; margin: 24px; max-width: 1100px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ccc; }
p.reading { font-style: italic; margin: 4px 0 8px; }
p.meta { color: #444; margin: 2px 0; }
.summary span { display: inline-block; margin-right: 18px; font-weight: bold; }
svg text { font-size: 11px; }
svg text.row { text-anchor: end; }
svg text.col, svg text.num, svg text.mark { text-anchor: middle; }
svg text.light { fill: #ffffff; }
svg text.note { fill: #555; }
table { border-collapse: collapse; font-size: 11px; margin-top: 8px; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: right; }
th { background: #eef2f6; }
td.text { text-align: left; }
tr.gap td { background: #fdf1f0; }
section { page-break-inside: avoid; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
)";

std::string AreaTable(const v1::CoverageReport& report) {
  std::string t =
      "<table><tr><th>area</th><th>capable</th><th>qualified</th>"
      "<th>SMEs</th><th>research</th><th>non-EU control</th>"
      "<th>contracts</th><th>abroad</th><th>value</th><th>of value abroad</th>"
      "<th>HHI</th>"
      "<th>top 4</th><th>assessment</th></tr>";
  for (const v1::AreaCoverage& a : report.areas()) {
    const v1::AwardHistory& h = a.award_history();
    absl::StrAppendFormat(
        &t,
        "<tr%s><td class=\"text\">%s</td><td>%d</td><td>%d</td><td>%d</td>"
        "<td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td>"
        "<td>%s</td><td>%s</td><td class=\"text\">%s</td></tr>",
        a.gap() ? " class=\"gap\"" : "", Html(AreaLabel(a)),
        a.capable_suppliers(), a.qualified_suppliers(), a.smes(),
        a.research_organisations(), a.third_country_controlled(), h.contracts(),
        h.contracts() > 0 ? Percent(h.foreign_contract_share()) : "-",
        h.value() > 0 ? Millions(h.value()) : "-",
        h.value() > 0 ? Percent(h.foreign_value_share()) : "-",
        h.value() > 0 ? absl::StrFormat("%.0f", h.hhi()) : "-",
        h.value() > 0 ? Percent(h.top4_share()) : "-", Html(a.assessment()));
  }
  return t + "</table>";
}

}  // namespace

std::vector<CsvTable> CoverageCsv(const v1::CoverageReport& report) {
  Csv areas({"area_id",
             "name",
             "edf_category",
             "capable_suppliers",
             "meeting_clearance",
             "meeting_technology_readiness",
             "qualified_suppliers",
             "smes",
             "research_organisations",
             "non_smes",
             "gap",
             "single_source",
             "no_supplier",
             "third_country_controlled",
             "third_country_unknown",
             "third_country_controlled_share",
             "contracts",
             "valued_contracts",
             "value",
             "foreign_value",
             "foreign_value_share",
             "unknown_country_value",
             "winners",
             "hhi",
             "concentration_band",
             "top4_share",
             "demand_tenders",
             "demand_without_supply",
             "assessment"});
  Csv regions({"area_id", "nuts_level", "nuts_code", "qualified_suppliers"});
  Csv certs({"area_id", "scheme", "capable_suppliers_holding"});
  Csv clearances({"area_id", "clearance_level", "qualified_suppliers"});
  Csv winners(
      {"area_id", "rank", "supplier_id", "name", "country", "value", "share"});
  Csv trend({"area_id", "year", "contracts", "value", "foreign_value_share"});
  for (const v1::AreaCoverage& a : report.areas()) {
    const std::string& id = a.area().id();
    const v1::AwardHistory& h = a.award_history();
    areas.Row({id,
               a.area().name(),
               a.area().edf_category(),
               absl::StrCat(a.capable_suppliers()),
               absl::StrCat(a.meeting_clearance()),
               absl::StrCat(a.meeting_technology_readiness()),
               absl::StrCat(a.qualified_suppliers()),
               absl::StrCat(a.smes()),
               absl::StrCat(a.research_organisations()),
               absl::StrCat(a.non_smes()),
               Bool(a.gap()),
               Bool(a.single_source()),
               Bool(a.no_supplier()),
               absl::StrCat(a.third_country_controlled()),
               absl::StrCat(a.third_country_unknown()),
               Number(a.third_country_controlled_share()),
               absl::StrCat(h.contracts()),
               absl::StrCat(h.valued_contracts()),
               Money(h.value()),
               Money(h.foreign_value()),
               Number(h.foreign_value_share()),
               Money(h.unknown_country_value()),
               absl::StrCat(h.winners()),
               Number(h.hhi()),
               h.concentration_band(),
               Number(h.top4_share()),
               absl::StrCat(a.demand_tenders()),
               Bool(a.demand_without_supply()),
               a.assessment()});
    for (const v1::RegionCount& r : a.regions_level1()) {
      regions.Row({id, "1", r.nuts_code(), absl::StrCat(r.suppliers())});
    }
    for (const v1::RegionCount& r : a.regions()) {
      regions.Row({id, "2", r.nuts_code(), absl::StrCat(r.suppliers())});
    }
    for (const v1::CertificationCount& c : a.certifications()) {
      certs.Row({id, c.scheme(), absl::StrCat(c.suppliers())});
    }
    for (const v1::ClearanceCount& c : a.clearance_levels()) {
      clearances.Row({id, v1::ClearanceLevel_Name(c.level()),
                      absl::StrCat(c.suppliers())});
    }
    for (int i = 0; i < h.top_winners_size(); ++i) {
      const v1::WinnerShare& w = h.top_winners(i);
      winners.Row({id, absl::StrCat(i + 1), w.supplier_id(), w.name(),
                   w.country(), Number(w.contracts()), Money(w.value()),
                   Number(w.share())});
    }
    for (const v1::YearTrend& y : h.by_year()) {
      trend.Row({id, absl::StrCat(y.year()), absl::StrCat(y.contracts()),
                 Number(y.foreign_contracts()), Money(y.value()),
                 Number(y.foreign_value_share())});
    }
  }
  return {{"areas.csv", areas.Take()},
          {"regions.csv", regions.Take()},
          {"certifications.csv", certs.Take()},
          {"clearances.csv", clearances.Take()},
          {"winners.csv", winners.Take()},
          {"trend.csv", trend.Take()}};
}

std::string CoverageHtml(const v1::CoverageReport& report) {
  const std::string scope =
      report.country().empty() ? "all countries" : report.country();
  std::string period = "all years";
  if (report.has_award_period()) {
    const v1::DatePeriod& p = report.award_period();
    period = absl::StrCat(
        p.has_start() ? absl::StrFormat("%04d-%02d-%02d", p.start().year(),
                                        p.start().month(), p.start().day())
                      : "...",
        " to ",
        p.has_end() ? absl::StrFormat("%04d-%02d-%02d", p.end().year(),
                                      p.end().month(), p.end().day())
                    : "...");
  }
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Capability coverage: ",
      Html(scope), "</title><style>", kStyle, "</style></head><body>\n");
  absl::StrAppendFormat(
      &html,
      "<h1>Capability coverage: %s</h1>"
      "<p class=\"meta\">Suppliers in scope: %d%s. Qualifications valid on "
      "%04d-%02d-%02d. Award history: %s, values in %s. A gap is fewer than "
      "%d qualified suppliers.</p>"
      "<p class=\"summary\"><span>%d areas</span><span>%d gaps</span>"
      "<span>%d single source</span><span>%d with none</span>"
      "<span>%d with demand but at most one supplier</span></p>\n",
      Html(scope), report.suppliers_in_scope(),
      report.nuts_regions_size() > 0
          ? Html(absl::StrCat(" in ",
                              absl::StrJoin(report.nuts_regions(), ", ")))
          : "",
      report.as_of().year(), report.as_of().month(), report.as_of().day(),
      Html(period), Html(report.currency()), report.min_qualified_suppliers(),
      report.areas_size(), report.gaps(), report.single_source_areas(),
      report.uncovered_areas(), report.demand_without_supply_areas());
  std::string reading;
  const std::string heat = HeatMap(report, &reading);
  absl::StrAppendFormat(&html,
                        "<section><h2>Qualified suppliers by area and NUTS %d "
                        "region</h2><p class=\"reading\">%s</p>%s</section>\n",
                        report.nuts_level() == 1 ? 1 : 2, Html(reading), heat);
  int valued = 0, awarded = 0, highly = 0;
  const v1::AreaCoverage* most_dependent = nullptr;
  const v1::AreaCoverage* most_concentrated = nullptr;
  for (const v1::AreaCoverage& a : report.areas()) {
    if (!HasContracts(a)) continue;
    ++awarded;
    if (most_dependent == nullptr ||
        ForeignShare(a) > ForeignShare(*most_dependent)) {
      most_dependent = &a;
    }
    if (!HasValue(a)) continue;
    ++valued;
    if (most_concentrated == nullptr || Hhi(a) > Hhi(*most_concentrated)) {
      most_concentrated = &a;
    }
    highly += a.award_history().hhi() > 2500;
  }
  absl::StrAppendFormat(
      &html,
      "<section><h2>Dependence: share of contracts won by foreign "
      "suppliers</h2><p class=\"reading\">%s</p>%s</section>\n",
      most_dependent == nullptr ? "No contract awarded in scope."
      : ForeignShare(*most_dependent) == 0
          ? Html(absl::StrFormat("No contract won abroad in the %d areas with "
                                 "contracts.",
                                 awarded))
          : Html(absl::StrFormat(
                "Most dependent: %s, %s of %d contracts won abroad; %d areas "
                "with contracts.",
                AreaLabel(*most_dependent),
                Percent(ForeignShare(*most_dependent)),
                most_dependent->award_history().contracts(), awarded)),
      Bars(report, "foreign share by area", 1.0, {{0.5, "50%"}}, &ForeignShare,
           &ForeignText, &HasContracts));
  absl::StrAppendFormat(
      &html,
      "<section><h2>Concentration of award value (HHI, 0-10,000)</h2>"
      "<p class=\"reading\">%s</p>%s</section>\n",
      most_concentrated == nullptr
          ? "No award value in scope."
          : Html(absl::StrFormat(
                "%d of %d areas with award value are highly concentrated "
                "(HHI over 2,500); the most: %s (%.0f).",
                highly, valued, AreaLabel(*most_concentrated),
                Hhi(*most_concentrated))),
      Bars(report, "HHI by area", 10000, {{1500, "1,500"}, {2500, "2,500"}},
           &Hhi, &HhiText, &HasValue));
  const std::string trend = Trend(report, &reading);
  absl::StrAppendFormat(&html,
                        "<section><h2>Contracts by year</h2><p "
                        "class=\"reading\">%s</p>%s</section>\n",
                        Html(reading), trend);
  absl::StrAppend(&html, "<section><h2>Areas</h2>", AreaTable(report),
                  "</section>\n<p class=\"meta\">Metrics and their sources: "
                  "doc/coverage.md in procmatch.</p></body></html>\n");
  return html;
}

}  // namespace procmatch
