# Live-environment install hooks for live/init (busybox sh; sourced after probe.sh).

# An install is requested by nestos.inst.install_dev / coreos.inst.install_dev kargs or by
# installer.d config files (written from an embedded Ignition config by live-service).
live_install_requested() {
  case " $(cat /proc/cmdline) " in
    *" nestos.inst.install_dev="*|*" coreos.inst.install_dev="*) return 0 ;;
  esac
  [ -f /config.ign ] && grep -q 'installer.d' /config.ign && return 0
  for d in /etc/nestos/installer.d /etc/coreos/installer.d; do
    [ -n "$(ls -A "$d" 2>/dev/null)" ] && return 0
  done
  return 1
}

live_main() {
  insmod "/lib/modules/$(uname -r)/kernel/drivers/block/loop.ko" 2>/dev/null || true
  /usr/lib/nestos-installer/live-service
  rc=$?
  printf '\nNESTOS-LIVE-INSTALL {"exit_code":%s}\n' "$rc"
}
