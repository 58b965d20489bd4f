// examples/embed_match.cc: procmatch embedded in a host program, start to
// end; doc/embedding.md walks through it. Builds an index of suppliers, ranks
// them for a drone tender, saves the index to bytes and loads it back, then
// applies an update that makes a new generation. Depends on //lib:procmatch
// only (or on the installed library: `pkg-config --cflags --libs procmatch`).
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "procmatch/matcher.h"
#include "procmatch/snapshot.h"
#include "procmatch/supplier_index.h"

namespace {

using procmatch::SupplierIndex;
namespace v1 = procmatch::v1;

v1::SupplierProfile Supplier(const char* id, const char* name, const char* nuts,
                             const char* cpv, const char* description) {
  v1::SupplierProfile p;
  p.set_id(id);
  p.set_name(name);
  p.set_country("BE");
  p.set_nuts_code(nuts);
  p.add_cpv_codes(cpv);
  p.set_description(description);
  p.set_description_language("en");
  return p;
}

// One line per supplier: rank, score, name and the largest score component.
std::string Ranking(const v1::MatchResponse& response) {
  std::string out;
  for (const v1::SupplierMatch& m : response.matches()) {
    const v1::ScoreComponent* main = nullptr;
    for (const v1::ScoreComponent& c : m.components()) {
      if (main == nullptr || c.contribution() > main->contribution()) main = &c;
    }
    absl::StrAppendFormat(&out, "  %d. %.3f  %-26s %s\n", m.rank(), m.score(),
                          m.supplier_name(), main ? main->detail() : "");
  }
  return out;
}

absl::Status Run() {
  // 1. Build an index. Add() validates each profile; a bad one is refused
  //    with a status naming the supplier and the field, the others are kept.
  SupplierIndex::Builder builder;
  for (const v1::SupplierProfile& p : {
           Supplier("BE-0410472920", "Kempen Avionics NV", "BE213", "35613000",
                    "Design and production of unmanned aerial vehicles"),
           Supplier("BE-0437281945", "Scheldt Drone Services BV", "BE211",
                    "50660000", "Maintenance of military electronic systems"),
           Supplier("BE-0862391047", "Zedro Optics SRL", "BE100", "38600000",
                    "Optical instruments and thermal imaging cameras"),
       }) {
    absl::Status added = builder.Add(p);
    if (!added.ok()) return added;
  }
  absl::Status refused = builder.Add(Supplier(
      "BE-0203344556", "Hainaut Robotique SRL", "BE323", "3561300", "Robots"));
  if (refused.ok()) return absl::InternalError("a 7-digit CPV code passed");
  std::printf("refused: %s\n", refused.ToString().c_str());

  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      std::move(builder).Build();
  if (!index.ok()) return index.status();

  // 2. Match a tender. A Matcher shares the index and is thread-safe.
  v1::MatchRequest request;
  v1::Tender& tender = *request.mutable_tender();
  tender.set_id("BE-MOD-2026-UAV");
  tender.set_title("Tactical unmanned aerial systems and their maintenance");
  tender.set_language("en");
  tender.set_main_cpv("35613000");
  tender.add_additional_cpv("50660000");
  tender.add_nuts_codes("BE");
  request.mutable_options()->set_top_k(3);

  procmatch::Matcher matcher(*index);
  absl::StatusOr<v1::MatchResponse> ranked = matcher.Match(request);
  if (!ranked.ok()) return ranked.status();
  std::printf("generation %llu:\n%s",
              static_cast<unsigned long long>(ranked->index_generation()),
              Ranking(*ranked).c_str());

  // 3. Save a snapshot to bytes, load it back: the same ranking.
  const std::string bytes = procmatch::SaveSnapshot(**index);
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> loaded =
      procmatch::LoadSnapshot(bytes);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<v1::MatchResponse> reloaded =
      procmatch::Matcher(*loaded).Match(request);
  if (!reloaded.ok()) return reloaded.status();
  if (Ranking(*reloaded) != Ranking(*ranked)) {
    return absl::InternalError("the loaded snapshot ranks differently");
  }
  std::printf("snapshot: %zu bytes, loaded, same ranking\n", bytes.size());

  // 4. An update makes a new generation; `matcher` still sees generation 1.
  v1::SupplierUpdate update;
  *update.add_upserts() =
      Supplier("BE-0203344556", "Hainaut Robotique SRL", "BE323", "35613000",
               "Unmanned aerial vehicles for reconnaissance");
  update.add_removed_ids("BE-0862391047");
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> next =
      (*index)->ApplyUpdate(update);
  if (!next.ok()) return next.status();
  absl::StatusOr<v1::MatchResponse> updated =
      procmatch::Matcher(*next).Match(request);
  if (!updated.ok()) return updated.status();
  std::printf("generation %llu:\n%s",
              static_cast<unsigned long long>((*next)->generation()),
              Ranking(*updated).c_str());
  std::printf("the first matcher still serves generation %llu, %d suppliers\n",
              static_cast<unsigned long long>(matcher.index().generation()),
              matcher.index().size());
  return absl::OkStatus();
}

}  // namespace

int main() {
  const absl::Status status = Run();
  if (!status.ok()) {
    std::fprintf(stderr, "embed_match: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
