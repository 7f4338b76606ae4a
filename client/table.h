// Plain-text tables and CSV: the layouts behind every command's per-board output.
#ifndef CELLFLEET_CLIENT_TABLE_H_
#define CELLFLEET_CLIENT_TABLE_H_

#include <string>
#include <vector>

namespace cellfleet::client {

using Row = std::vector<std::string>;

// Each column as wide as its widest cell; the last column is free text (notes, errors),
// cut with "..." so that a line fits `max_width` characters (0: never cut).
std::string RenderTable(const Row& header, const std::vector<Row>& rows, size_t max_width = 0);

// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
std::string RenderCsv(const Row& header, const std::vector<Row>& rows);

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_TABLE_H_
