#include "adapters/http/web_assets.h"

#include <fstream>
#include <map>

namespace casetrail::adapters {

namespace {

std::string TypeOf(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},        {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},   {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},                     {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  const auto dot = path.rfind('.');
  auto it = dot == std::string::npos ? kTypes.end() : kTypes.find(path.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

std::optional<StaticFile> FindStaticFile(const std::string& request_path, const std::string& web_root) {
  std::string path = request_path == "/" || request_path.empty() ? "/index.html" : request_path;
  if (path.find("..") != std::string::npos || path.find('\0') != std::string::npos) return std::nullopt;
  if (!web_root.empty()) {
    std::ifstream in(web_root + path, std::ios::binary);
    if (!in) return std::nullopt;
    return StaticFile{TypeOf(path), std::string((std::istreambuf_iterator<char>(in)), {})};
  }
  for (const auto& a : EmbeddedWebAssets()) {
    if (a.path == path) return StaticFile{TypeOf(path), a.content};
  }
  return std::nullopt;
}

}  // namespace casetrail::adapters
