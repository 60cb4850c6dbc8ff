"""Rasa's TensorFlow models (our DIET) loaded for prediction without a training step.

Rasa 3.6's `RasaModel.load` creates the model, runs one *training* step (`model.fit` on one example)
only so that every variable exists with its size, then overwrites all of them with the saved
weights. That step traces the training graph with its gradients and Adam's slots, which TensorFlow
keeps: +190 MiB resident in the Rasa server for a model whose weights are 12 MiB
(docs/performance.md, "Memory"). Here the variables are built by one eager forward pass of the same
loss (`batch_loss`, what the training step runs before its gradients), then the saved weights are
loaded as Rasa loads them and the first prediction is traced as Rasa does. The optimizer's saved
slots are not read: nothing predicts with them.

Same predictions as Rasa's load: every held-out text parses to the same intent and confidence
(tests/nlu/test_model_load.py). The fallback to Rasa's own load is taken for fine-tuning (which
needs the optimizer), for another Rasa version, when the forward pass fails, and whenever it did not
build exactly the variables the checkpoint holds, so a model this was not checked against is never half-loaded.
Installed from the channel modules (gate.py), which Rasa imports before it loads the model.
"""
from __future__ import annotations

import logging

import rasa
import tensorflow as tf
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.models import RasaModel

log = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # rasa/utils/tensorflow/models.py, RasaModel.load
ORIGINAL = RasaModel.__dict__["load"]  # the classmethod object


def _saved_model_variables(path: str) -> int:
    """How many of the model's own variables the checkpoint holds (not the optimizer's slots)."""
    return sum(1 for name, _ in tf.train.list_variables(path)
               if name.startswith("model/") and not name.startswith("model/optimizer/")
               and name.endswith("/.ATTRIBUTES/VARIABLE_VALUE"))


def _load(cls, model_file_name, model_data_example, predict_data_example=None, finetune_mode=False,
          *args, **kwargs):
    def rasas_own():
        return ORIGINAL.__func__(cls, model_file_name, model_data_example, predict_data_example,
                                 finetune_mode, *args, **kwargs)

    if finetune_mode:
        return rasas_own()
    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    # Compiled as Rasa compiles it, so the model object is the same apart from the unused slots.
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                  run_eagerly=config.get(RUN_EAGERLY))
    try:
        batch_in = RasaBatchDataGenerator(model_data_example, batch_size=1)[0][0]
        model._training = True  # as in the training step: the layers only training uses get built too
        model.batch_loss(batch_in)
        model._training = None
    except Exception:  # a model class this was not checked with (TED, a response selector): Rasa's way
        log.warning("model load: %s could not be built by a forward pass; using Rasa's own load",
                    cls.__name__, exc_info=True)
        return rasas_own()
    saved = _saved_model_variables(model_file_name)
    if len(model.weights) != saved:
        log.warning("model load: %s built %d variables, the checkpoint has %d; using Rasa's own load",
                    cls.__name__, len(model.weights), saved)
        return rasas_own()
    status = model.load_weights(model_file_name)
    status.assert_existing_objects_matched()  # every variable got its saved value
    status.expect_partial()  # the optimizer's saved slots stay unread on purpose
    if predict_data_example:
        model.run_inference(predict_data_example)  # traces the prediction graph once, as Rasa does
    return model


def install() -> bool:
    if RasaModel.__dict__.get("load") is not ORIGINAL:
        return True
    if rasa.__version__ != RASA_VERSION:
        log.warning("model load: Rasa %s is not %s, keeping Rasa's own load", rasa.__version__, RASA_VERSION)
        return False
    RasaModel.load = classmethod(_load)
    return True
