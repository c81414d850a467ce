#!/usr/bin/env bash
# Installs every build, test and run dependency of attest from Debian 12 packages.
# Safe to run again. Run as root or with sudo available.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build ccache pkg-config git ca-certificates \
  clang libclang-rt-14-dev llvm \
  libssl-dev libsodium-dev libsqlite3-dev sqlite3 libjemalloc-dev \
  libcli11-dev nlohmann-json3-dev libcpp-httplib-dev libicu-dev libxapian-dev libfasttext-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  libpoppler-cpp-dev libtesseract-dev libleptonica-dev libzip-dev libexpat1-dev \
  libavformat-dev libswscale-dev ffmpeg libavcodec-dev libswresample-dev libavutil-dev espeak-ng sox \
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-ara tesseract-ocr-heb tesseract-ocr-fra \
  tesseract-ocr-osd \
  pango1.0-tools fonts-noto-core poppler-utils libkainjow-mustache-dev chromium wrk nginx-light \
  python3 coreutils procps curl bc openssl time \
  hunspell-ar hunspell-he hunspell-fr-classical hunspell-en-us \
  dict-freedict-ara-eng dict-freedict-eng-ara dict-freedict-fra-eng dict-freedict-eng-fra \
  libhnswlib-dev universal-ctags
# npm, only to fetch the pinned sources Debian lacks (not needed if Node.js is already there).
if ! command -v npm > /dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends npm
fi
bash "$(dirname "$0")/fetch-third-party.sh"
