"""Glimpse tiny MiniCPM-V-architecture model: data, tokenizer, model, training and ONNX export."""
