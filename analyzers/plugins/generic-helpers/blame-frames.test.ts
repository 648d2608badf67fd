// blameFrames skips what only observes a hang: a crash session's NMI / PMU / kdump / timer-interrupt
// and idle frames are never key frames; the interrupted code is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blameFrames, classifyWait, isMechanics } from './index.ts';

test('perf NMI watchdog and panic frames above the interrupted driver: the driver is blamed', () => {
  const frames = ['machine_kexec', '__crash_kexec', 'panic', 'nmi_panic.cold', 'watchdog_hardlockup_check', 'watchdog_overflow_callback',
    '__perf_event_overflow', 'handle_pmi_common', 'intel_pmu_handle_irq', 'perf_event_nmi_handler', 'nmi_handle', 'default_do_nmi',
    'exc_nmi', 'end_repeat_nmi', 'native_queued_spin_lock_slowpath', '_raw_spin_lock_irqsave', 'vxfc_queuecommand', 'scsi_queue_rq'];
  assert.deepEqual(blameFrames(frames, 2), ['vxfc_queuecommand', 'scsi_queue_rq']);
});

test('a CPU stopped by crash in the idle loop has nothing to blame', () => {
  const frames = ['crash_nmi_callback', 'nmi_handle', 'do_nmi', 'end_repeat_nmi', 'native_safe_halt', 'default_idle', 'arch_cpu_idle',
    'cpu_startup_entry', 'schedule_idle', 'do_idle', 'start_secondary', 'secondary_startup_64_no_verify'];
  assert.deepEqual(blameFrames(frames), []);
});

test('soft-lockup watchdog timer interrupt frames are skipped; AMD and kdump variants too', () => {
  const frames = ['watchdog_timer_fn', '__run_hrtimer', '__hrtimer_run_queues', 'hrtimer_interrupt', 'local_apic_timer_interrupt',
    'smp_apic_timer_interrupt', 'apic_timer_interrupt', 'smb2x_find_mid', 'cifsx_demultiplex_thread'];
  assert.deepEqual(blameFrames(frames, 2), ['smb2x_find_mid', 'cifsx_demultiplex_thread']);
  for (const fn of ['amd_pmu_v2_handle_irq', 'kdump_nmi_callback', 'nmi_shootdown_cpus', 'native_machine_crash_shutdown', 'vpanic']) {
    assert.ok(isMechanics(fn), fn);
  }
});

test('the interrupted code and IRQ handlers stay blamable', () => {
  for (const fn of ['mydrv_irq_handler', '__handle_irq_event_percpu', 'smb2x_find_mid', 'netx_xmit_frame', 'nmi_intr_mydrv']) {
    assert.equal(isMechanics(fn), false, fn);
  }
});

test('busy-wait delay helpers are not what to blame: the driver loop that calls them is', () => {
  assert.deepEqual(blameFrames(['delay_tsc', '__const_udelay', 'nfx_wait_tx_idle', 'nfx_reconfigure_rings'], 1), ['nfx_wait_tx_idle']);
  assert.deepEqual(blameFrames(['__delay', 'udelay', 'mdelay', 'xsas_wait_fw_ready'], 1), ['xsas_wait_fw_ready']);
});

test('percpu rw-semaphores: the reader and writer slow paths are waits, classified by their caller side', () => {
  assert.equal(classifyWait(['__schedule', 'schedule', 'percpu_rwsem_wait', '__percpu_down_read', 'cgroup_can_fork', 'copy_process'])?.primitive, 'rwsem_read');
  assert.equal(classifyWait(['__schedule', 'schedule', 'percpu_down_write', 'cgroup_procs_write_start', 'cgroup_procs_write'])?.primitive, 'rwsem_write');
  assert.deepEqual(classifyWait(['__schedule', 'schedule', 'percpu_rwsem_wait', 'percpu_down_write', 'freeze_super'])?.blame.slice(0, 1), ['freeze_super']);
});
