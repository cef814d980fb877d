// The web UI's static files (adapters/web/), embedded at build time so a deployed binary serves
// them without a file tree; `serve --web-root DIR` serves DIR from disk instead (development).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace casetrail::adapters {

struct WebAsset {
  std::string path;     // "/index.html"
  std::string content;
};

const std::vector<WebAsset>& EmbeddedWebAssets();

struct StaticFile {
  std::string content_type;
  std::string body;
};

// The file for a request path ("/" is index.html), from `web_root` if given, else embedded.
// nullopt when there is none (or the path tries to leave the root).
std::optional<StaticFile> FindStaticFile(const std::string& path, const std::string& web_root);

}  // namespace casetrail::adapters
