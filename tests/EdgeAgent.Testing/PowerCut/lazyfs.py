#!/usr/bin/python3
"""A pass-through FUSE file system, in the spirit of LazyFS, that loses what a power cut loses.

Usage: lazyfs.py BACKING MOUNTPOINT TRASH STATS [--drop-directory-ops]

Every write to a file stays in this process's memory (a page overlay per file) until the file is
fsync'ed or fdatasync'ed; only then does it reach BACKING (and is os.fsync'ed there). Unmounting the
file system (fusermount3 -u) is the power cut: the process exits and the overlays die with it.

With --drop-directory-ops, creates, mkdirs, renames, unlinks and rmdirs are applied to BACKING at once
but recorded; one becomes durable when every directory it touched has been fsync'ed since. At exit the
ones that are not durable are undone, newest first (an unlinked or replaced file waits in TRASH, on the
same file system, so it can come back). That is the strict POSIX reading: a new name survives a cut
only once its directory was fsync'ed.

At exit the counters (fsyncs, fdatasyncs, directory fsyncs and writes per path, relative to the mount)
are written to STATS as JSON. "mounted" is printed on stdout once the kernel has mounted it.
"""

import errno
import json
import os
import shutil
import sys
import threading

import fusepy

PAGE = 4096


class Overlay:
    """The unsynced state of one file: pages written since its last fsync, and its logical size."""

    def __init__(self, fd, size):
        self.fd = fd
        self.pages = {}
        self.size = size
        # Backing bytes at or beyond this offset were cut off by a truncate since the last fsync: read as zeros.
        self.valid = size
        self.handles = 0
        self.dirty = False

    def _page(self, index):
        page = self.pages.get(index)
        if page is None:
            start = index * PAGE
            page = bytearray(PAGE)
            if start < self.valid:
                data = os.pread(self.fd, min(PAGE, self.valid - start), start)
                page[: len(data)] = data
            self.pages[index] = page
        return page

    def read(self, size, offset):
        end = min(offset + size, self.size)
        out = bytearray()
        pos = offset
        while pos < end:
            index, skip = divmod(pos, PAGE)
            take = min(PAGE - skip, end - pos)
            page = self.pages.get(index)
            if page is not None:
                out += page[skip : skip + take]
            else:
                start = index * PAGE + skip
                have = max(0, min(take, self.valid - start))
                data = os.pread(self.fd, have, start) if have > 0 else b""
                out += data + bytes(take - len(data))
            pos += take
        return bytes(out)

    def write(self, data, offset):
        pos = 0
        while pos < len(data):
            index, skip = divmod(offset + pos, PAGE)
            take = min(PAGE - skip, len(data) - pos)
            self._page(index)[skip : skip + take] = data[pos : pos + take]
            pos += take
        self.size = max(self.size, offset + len(data))
        self.dirty = True
        return len(data)

    def truncate(self, length):
        for index in [i for i in self.pages if i * PAGE >= length]:
            del self.pages[index]
        tail = self.pages.get(length // PAGE)
        if tail is not None:
            skip = length % PAGE
            tail[skip:] = bytes(PAGE - skip)
        self.valid = min(self.valid, length)
        self.size = length
        self.dirty = True

    def sync(self):
        if self.dirty:
            for index in sorted(self.pages):
                start = index * PAGE
                if start < self.size:
                    os.pwrite(self.fd, bytes(self.pages[index][: min(PAGE, self.size - start)]), start)
            os.ftruncate(self.fd, self.size)
            self.pages.clear()
            self.valid = self.size
            self.dirty = False
        os.fsync(self.fd)


class LazyFs(fusepy.Operations):
    def __init__(self, backing, trash, stats, drop_directory_ops):
        self.backing = os.path.realpath(backing)
        self.trash = os.path.realpath(trash)
        self.stats_path = stats
        self.drop_directory_ops = drop_directory_ops
        self.gate = threading.RLock()
        self.files = {}  # backing path -> Overlay
        self.handles = {}  # fh -> Overlay
        self.next_fh = 1
        self.pending = []  # [kind, args, set of directories not fsynced since]
        self.next_trash = 0
        self.counters = {"fsync": {}, "fdatasync": {}, "fsyncdir": {}, "writes": {}, "bytesWritten": 0, "undone": 0}

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _full(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def _count(self, kind, path):
        bucket = self.counters[kind]
        bucket[path] = bucket.get(path, 0) + 1

    def _overlay(self, full):
        overlay = self.files.get(full)
        if overlay is None:
            fd = os.open(full, os.O_RDWR)
            overlay = Overlay(fd, os.fstat(fd).st_size)
            self.files[full] = overlay
        return overlay

    def _forget(self, full):
        overlay = self.files.pop(full, None)
        if overlay is not None and overlay.handles == 0:
            os.close(overlay.fd)

    def _record(self, kind, args, *paths):
        if self.drop_directory_ops:
            self.pending.append([kind, args, {os.path.dirname(p) for p in paths}])

    def _to_trash(self, full):
        self.next_trash += 1
        parked = os.path.join(self.trash, str(self.next_trash))
        os.rename(full, parked)
        return parked

    # -- attributes and names ---------------------------------------------------------------------------------------

    def getattr(self, path, fh=None):
        with self.gate:
            full = self._full(path)
            st = os.lstat(full)
            result = {key: getattr(st, key) for key in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime", "st_blocks")}
            overlay = self.files.get(full)
            if overlay is not None and overlay.dirty:
                result["st_size"] = overlay.size
            return result

    def access(self, path, amode):
        if not os.access(self._full(path), amode):
            raise fusepy.FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        os.lchown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._full(path), times, follow_symlinks=False)

    def readlink(self, path):
        return os.readlink(self._full(path))

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {key: getattr(st, key) for key in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        with self.gate:
            full = self._full(path)
            os.mkdir(full, mode)
            self._record("mkdir", (full,), full)

    def rmdir(self, path):
        with self.gate:
            full = self._full(path)
            mode = os.lstat(full).st_mode
            os.rmdir(full)
            self._record("rmdir", (full, mode), full)

    def symlink(self, target, source):
        with self.gate:
            full = self._full(target)
            os.symlink(source, full)
            self._record("create", (full,), full)

    def unlink(self, path):
        with self.gate:
            full = self._full(path)
            self._forget(full)
            if self.drop_directory_ops:
                self._record("unlink", (full, self._to_trash(full)), full)
            else:
                os.unlink(full)

    def rename(self, old, new):
        with self.gate:
            source, target = self._full(old), self._full(new)
            replaced = None
            if os.path.lexists(target) and not os.path.isdir(target):
                self._forget(target)
                if self.drop_directory_ops:
                    replaced = self._to_trash(target)
            os.rename(source, target)
            for full in [f for f in self.files if f == source or f.startswith(source + "/")]:
                self.files[target + full[len(source):]] = self.files.pop(full)
            self._record("rename", (source, target, replaced), source, target)

    # -- file contents ------------------------------------------------------------------------------------------------

    def _open(self, full, flags):
        overlay = self._overlay(full)
        overlay.handles += 1
        fh = self.next_fh
        self.next_fh += 1
        self.handles[fh] = overlay
        if flags & os.O_TRUNC:
            overlay.truncate(0)
        return fh

    def create(self, path, mode, fi=None):
        with self.gate:
            full = self._full(path)
            os.close(os.open(full, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
            self._record("create", (full,), full)
            return self._open(full, 0)

    def open(self, path, flags):
        with self.gate:
            return self._open(self._full(path), flags)

    def read(self, path, size, offset, fh):
        with self.gate:
            return self.handles[fh].read(size, offset)

    def write(self, path, data, offset, fh):
        with self.gate:
            self._count("writes", path)
            self.counters["bytesWritten"] += len(data)
            return self.handles[fh].write(data, offset)

    def truncate(self, path, length, fh=None):
        with self.gate:
            overlay = self.handles[fh] if fh is not None else self._overlay(self._full(path))
            overlay.truncate(length)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        with self.gate:
            self._count("fdatasync" if datasync else "fsync", path)
            self.handles[fh].sync()

    def release(self, path, fh):
        with self.gate:
            overlay = self.handles.pop(fh)
            overlay.handles -= 1
            if overlay.handles == 0 and self.files.get(self._full(path)) is not overlay:
                os.close(overlay.fd)  # unlinked or replaced while open: nobody can reach it again

    def fsyncdir(self, path, datasync, fh):
        with self.gate:
            self._count("fsyncdir", path)
            full = self._full(path).rstrip("/") or "/"
            for op in self.pending:
                op[2].discard(full)
            still = []
            for op in self.pending:
                if op[2]:
                    still.append(op)
                elif op[0] == "unlink":
                    _remove(op[1][1])
                elif op[0] == "rename" and op[1][2] is not None:
                    _remove(op[1][2])
            self.pending = still

    # -- the cut --------------------------------------------------------------------------------------------------------

    def undo_unsynced_directory_ops(self):
        for kind, args, _ in reversed(self.pending):
            try:
                if kind == "create":
                    _remove(args[0])
                elif kind == "mkdir":
                    shutil.rmtree(args[0], ignore_errors=True)
                elif kind == "rmdir":
                    os.mkdir(args[0], args[1] & 0o7777)
                elif kind == "unlink":
                    os.rename(args[1], args[0])
                elif kind == "rename":
                    source, target, replaced = args
                    os.rename(target, source)
                    if replaced is not None:
                        os.rename(replaced, target)
                self.counters["undone"] += 1
            except OSError as e:
                print(f"lazyfs: could not undo {kind} {args}: {e}", file=sys.stderr)
        self.pending = []

    def write_stats(self):
        with open(self.stats_path + ".tmp", "w") as f:
            json.dump(self.counters, f)
        os.rename(self.stats_path + ".tmp", self.stats_path)

    def init(self, path):
        print("mounted", flush=True)


def _remove(full):
    if os.path.isdir(full) and not os.path.islink(full):
        shutil.rmtree(full, ignore_errors=True)
    elif os.path.lexists(full):
        os.unlink(full)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 64
    backing, mountpoint, trash, stats = args
    os.makedirs(trash, exist_ok=True)
    fs = LazyFs(backing, trash, stats, "--drop-directory-ops" in sys.argv)
    # Multi-threaded, each operation under one lock: simple and enough for one agent's 8 KiB pages.
    fusepy.FUSE(fs, mountpoint, foreground=True, nothreads=False, fsname="lazyfs", default_permissions=True, big_writes=True)
    fs.undo_unsynced_directory_ops()
    fs.write_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
