/**
 * The training step the browser smoke test (test/browser-wasm.test.ts) runs in headless Chromium and in
 * Node: one module so that both run the same source. `torch` is torch-ts's core entry (dist/index.js), on
 * whichever backend the caller chose. Returns plain numbers only (page.evaluate serializes them).
 *
 * Conv2d(1, 4, 3, padding 1) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(4*4*4, 3), CrossEntropyLoss,
 * SGD(lr 0.1, momentum 0.9), two steps on a fixed batch of four 8x8 images; parameters from manualSeed(0).
 * The inputs are multiples of 1/16 so that they are exact in every dtype and need no RNG.
 */
export function cnnStep(torch) {
  const { nn, optim } = torch;
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4 * 4 * 4, 3),
  );
  const pixels = [];
  for (let i = 0; i < 4 * 8 * 8; i++) pixels.push((((i * 37 + 11) % 33) - 16) / 16);
  const x = torch.tensor(pixels).reshape([4, 1, 8, 8]);
  const y = torch.tensor([0, 2, 1, 2], { dtype: torch.int64 });
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });

  const losses = [];
  let grads = null;
  for (let step = 0; step < 2; step++) {
    opt.zeroGrad();
    const loss = lossFn(model(x), y);
    loss.backward();
    if (step === 0) grads = model.parameters().map((p) => Array.from(p.grad.flatten().tolist()));
    opt.step();
    losses.push(loss.item());
  }
  const params = model.parameters().map((p) => Array.from(p.detach().flatten().tolist()));
  const finalLoss = torch.noGrad(() => lossFn(model(x), y).item());
  return { backend: torch.backends.current(), dtype: String(x.dtype), losses, finalLoss, grads, params };
}
