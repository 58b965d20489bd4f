// File: benchmarks/xapian_baseline.h
//
// The same suppliers in Xapian, as a C++ team would otherwise search them:
// each text piece indexed with Xapian's stemmer for its language, CPV codes
// (and their ancestors) as prefixed terms, BM25 weighting, in a Glass
// database on disk (Xapian's production backend) that is removed with the
// object. For benchmarks only; procmatch never links Xapian.
#ifndef PROCMATCH_BENCHMARKS_XAPIAN_BASELINE_H_
#define PROCMATCH_BENCHMARKS_XAPIAN_BASELINE_H_

#include <memory>
#include <string>
#include <vector>

#include "procmatch/v1/supplier.pb.h"
#include "procmatch/v1/tender.pb.h"

namespace procmatch {

class XapianBaseline {
 public:
  XapianBaseline();
  ~XapianBaseline();
  XapianBaseline(const XapianBaseline&) = delete;
  XapianBaseline& operator=(const XapianBaseline&) = delete;

  void Add(const v1::SupplierProfile& supplier);
  // Writes what was added; call before searching.
  void Commit();

  // Supplier ids of the top `k` for the tender (or lot): BM25 on the
  // tender's text, stemmed in its language; with `with_cpv`, the tender's
  // CPV codes are OR-ed in as terms.
  std::vector<std::string> Top(const v1::Tender& tender,
                               const std::string& lot_id, int k,
                               bool with_cpv) const;

  int size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace procmatch

#endif  // PROCMATCH_BENCHMARKS_XAPIAN_BASELINE_H_
