# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""pytorch_lightning: checkpoints written by a real Trainer run (ModelCheckpoint, EarlyStopping, hparams)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from _common import Out
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

out = Out()
torch.manual_seed(0)


class LitRegressor(pl.LightningModule):
    def __init__(self, hidden: int = 8, lr: float = 0.01, name: str = "tiny") -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], _: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], _: int) -> None:
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self) -> object:
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.StepLR(opt, 1)}


def data() -> DataLoader:
    x = torch.randn(64, 3)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=16)


def main() -> None:
    root = out.path("trainer/.keep").parent
    ckpt = ModelCheckpoint(
        dirpath=root / "checkpoints", monitor="val_loss", save_top_k=2, save_last=True
    )
    trainer = pl.Trainer(
        max_epochs=3, default_root_dir=root, callbacks=[ckpt, EarlyStopping("val_loss", patience=5)],
        logger=CSVLogger(root / "logs"), enable_progress_bar=False, enable_model_summary=False,
        accelerator="cpu", devices=1,
    )  # fmt: skip
    model = LitRegressor()
    trainer.fit(model, data(), data())
    trainer.save_checkpoint(root / "manual.ckpt")
    trainer.save_checkpoint(root / "weights_only.ckpt", weights_only=True)
    out.add_tree(
        "trainer", "pytorch_lightning.Trainer.fit / save_checkpoint", "Lightning checkpoint"
    )


out.run("trainer", main)
out.finish()
