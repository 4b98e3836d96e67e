#!/usr/bin/python3
# test/lib/cephfs_judge.py CMD ARGS: CephFS through libcephfs (python3-cephfs),
# a client that is not netfuse, for the tests that hold netfuse's MDS client
# and mount to it. The cluster from $CEPH_CONF and $CEPH_KEYRING as
# client.admin, the file system $CEPH_FS_NAME (default cephfs).
#   tree TOP          the tree ceph_mds.test reads (files, a subdirectory, a
#                     symlink, a hard link, an xattr, an owner, 300 entries)
#   data TOP          files of several sizes for reads (0 B, 5 B, 4 MiB + 1
#                     across two objects, one with a hole), a symlink, a subdirectory
#   stat PATH         "ino 0x.. mode 0.. nlink N uid U gid G size S"
#   ls PATH           the names, sorted
#   readlink PATH | getxattr PATH NAME | exists PATH | mtime PATH
#   sha256 PATH       the file's digest
#   append PATH TEXT  TEXT written at the file's end
#   write PATH TEXT   TEXT written over the file's start
#   hold PATH TEXT S  TEXT written at the file's end and left in libcephfs's
#                     buffers: "written" once done, the file closed S
#                     seconds later (libcephfs flushes when the MDS asks)
#   many DIR N        a new directory of N empty files
#   rmtree PATH
import cephfs, os, stat, sys
fs = cephfs.LibCephFS(conffile=os.environ["CEPH_CONF"], auth_id="admin")
fs.conf_set("keyring", os.environ["CEPH_KEYRING"])
fs.mount(filesystem_name=os.environ.get("CEPH_FS_NAME", "cephfs").encode())
cmd, args = sys.argv[1], sys.argv[2:]

def names(path):
    d = fs.opendir(path)
    out = []
    while True:
        e = fs.readdir(d)
        if not e:
            break
        n = e.d_name.decode()
        if n not in (".", ".."):
            out.append(n)
    fs.closedir(d)
    return out

def rmtree(path):
    for n in names(path):
        p = path + "/" + n
        st = fs.lstat(p)
        if stat.S_ISDIR(st.st_mode):
            rmtree(p)
        else:
            fs.unlink(p)
    fs.rmdir(path)

def line(p):
    st = fs.lstat(p)
    return "ino 0x%x mode 0%o nlink %d uid %d gid %d size %d" % (
        st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_size)

if cmd == "tree":  # the tree netfuse reads
    top = args[0]
    fs.mkdir(top, 0o755)
    fd = fs.open(top + "/a", os.O_CREAT | os.O_WRONLY, 0o644)
    fs.write(fd, b"hello", 0)
    fs.close(fd)
    fs.mkdir(top + "/sub", 0o700)
    fd = fs.open(top + "/sub/b", os.O_CREAT | os.O_WRONLY, 0o600)
    fs.write(fd, b"x" * 70000, 0)
    fs.close(fd)
    fs.symlink("sub/b", top + "/link")
    fs.link(top + "/a", top + "/a2")
    fs.setxattr(top + "/a", "user.colour", b"blue", 0)
    fs.chown(top + "/sub/b", 1234, 5678)
    fs.mkdir(top + "/many", 0o755)
    for i in range(300):
        fd = fs.open("%s/many/f%03d" % (top, i), os.O_CREAT | os.O_WRONLY, 0o644)
        fs.close(fd)
elif cmd == "data":  # what a mount reads
    top = args[0]
    fs.mkdir(top, 0o755)
    def put(name, chunks, mode=0o644):
        fd = fs.open(top + "/" + name, os.O_CREAT | os.O_WRONLY, mode)
        for off, data in chunks:
            fs.write(fd, data, off)
        fs.close(fd)
    put("empty", [])
    put("small", [(0, b"hello")], 0o600)
    big = bytes((i * 7 + 3) & 0xFF for i in range(4 * 1024 * 1024 + 1))
    put("big", [(0, big)])
    put("holey", [(0, b"start"), (9 * 1024 * 1024, b"end")])
    fs.mkdir(top + "/sub", 0o750)
    put("sub/inner", [(0, b"inside\n")])
    fs.symlink("sub/inner", top + "/link")
elif cmd == "sha256":
    import hashlib
    h = hashlib.sha256()
    fd = fs.open(args[0], os.O_RDONLY, 0)
    off = 0
    while True:
        b = fs.read(fd, off, 1 << 20)
        if not b:
            break
        h.update(b)
        off += len(b)
    fs.close(fd)
    print(h.hexdigest())
elif cmd == "stat":
    print(line(args[0]))
elif cmd == "ls":
    print("\n".join(sorted(names(args[0]))))
elif cmd == "readlink":
    print(fs.readlink(args[0], 4096).decode())
elif cmd == "getxattr":
    try:
        print(fs.getxattr(args[0], args[1]).decode())
    except cephfs.NoData:
        print("<none>")
elif cmd == "many":  # DIR N: a directory of N empty files f0000...
    fs.mkdir(args[0], 0o755)
    for i in range(int(args[1])):
        fd = fs.open("%s/f%04d" % (args[0], i), os.O_CREAT | os.O_WRONLY, 0o644)
        fs.close(fd)
elif cmd == "append":
    st = fs.stat(args[0])
    fd = fs.open(args[0], os.O_WRONLY, 0)
    fs.write(fd, args[1].encode(), st.st_size)
    fs.close(fd)
elif cmd == "write":
    fd = fs.open(args[0], os.O_WRONLY, 0)
    fs.write(fd, args[1].encode(), 0)
    fs.close(fd)
elif cmd == "hold":
    import time
    st = fs.stat(args[0])
    fd = fs.open(args[0], os.O_WRONLY, 0)
    fs.write(fd, args[1].encode(), st.st_size)
    print("written", flush=True)
    time.sleep(float(args[2]))
    fs.close(fd)
elif cmd == "setxattr":  # PATH NAME VALUE (ceph.quota.max_bytes ...)
    fs.setxattr(args[0], args[1], args[2].encode(), 0)
elif cmd == "create":  # an empty file
    fs.close(fs.open(args[0], os.O_CREAT | os.O_WRONLY, 0o644))
elif cmd == "unlink":
    fs.unlink(args[0])
elif cmd == "exists":
    try:
        fs.lstat(args[0])
        print("yes")
    except cephfs.ObjectNotFound:
        print("no")
elif cmd == "mtime":
    print(int(fs.stat(args[0]).st_mtime.timestamp()))
elif cmd == "rmtree":
    rmtree(args[0])
fs.unmount()
fs.shutdown()
