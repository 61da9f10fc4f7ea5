// Scan a QR with the camera where the browser can (BarcodeDetector): the button #scan names the field to fill
// (data-target) and, optionally, the form to send once read (data-submit).
(function () {
  const scan = document.getElementById('scan'), video = document.getElementById('camera');
  if (!scan || !video || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  scan.hidden = false;
  scan.addEventListener('click', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}});
    video.srcObject = stream; video.hidden = false; await video.play();
    const detector = new BarcodeDetector({formats: ['qr_code']});
    const tick = async () => {
      const codes = await detector.detect(video);
      if (!codes.length) { requestAnimationFrame(tick); return; }
      document.getElementById(scan.dataset.target).value = codes[0].rawValue;
      stream.getTracks().forEach(t => t.stop());
      video.hidden = true;
      if (scan.dataset.submit) document.getElementById(scan.dataset.submit).requestSubmit();
    };
    tick();
  });
})();
