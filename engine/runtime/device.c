/* device.c — OpenCL platform/device enumeration, selection and capability probing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

const char *trt__cl_error_str(cl_int err) {
    switch (err) {
#define E(x) case x: return #x;
        E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
        E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
        E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_BUILD_PROGRAM_FAILURE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
        E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT) E(CL_INVALID_COMMAND_QUEUE)
        E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_BUFFER_SIZE) E(CL_INVALID_PROGRAM)
        E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL)
        E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
        E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE)
        E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT)
        E(CL_INVALID_OPERATION) E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_GLOBAL_WORK_SIZE)
        E(CL_INVALID_PLATFORM)
#undef E
    default: return "CL_UNKNOWN_ERROR";
    }
}

trt_status trt__cl_error(cl_int err, const char *what) {
    return trt__error(TRT_ERR_OPENCL, "OpenCL error %d (%s) while %s", (int)err,
                      trt__cl_error_str(err), what);
}

/* Every device of every platform, in a stable order. */
typedef struct {
    cl_platform_id platform;
    cl_device_id device;
} dev_ref;

static int list_devices(dev_ref *refs, int max) {
    cl_uint np = 0;
    if (clGetPlatformIDs(0, NULL, &np) != CL_SUCCESS || np == 0) return 0;
    cl_platform_id plats[16];
    if (np > 16) np = 16;
    if (clGetPlatformIDs(np, plats, NULL) != CL_SUCCESS) return 0;
    int n = 0;
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS) continue;
        cl_device_id devs[32];
        if (nd > 32) nd = 32;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, nd, devs, NULL) != CL_SUCCESS) continue;
        for (cl_uint d = 0; d < nd && n < max; d++) {
            refs[n].platform = plats[p];
            refs[n].device = devs[d];
            n++;
        }
    }
    return n;
}

static void fill_info(const dev_ref *r, int index, trt_device_info *info) {
    memset(info, 0, sizeof *info);
    info->index = index;
    clGetDeviceInfo(r->device, CL_DEVICE_NAME, sizeof info->name - 1, info->name, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_VENDOR, sizeof info->vendor - 1, info->vendor, NULL);
    clGetDeviceInfo(r->device, CL_DRIVER_VERSION, sizeof info->driver_version - 1,
                    info->driver_version, NULL);
    clGetDeviceInfo(r->device, CL_DEVICE_VERSION, sizeof info->device_version - 1,
                    info->device_version, NULL);
    clGetPlatformInfo(r->platform, CL_PLATFORM_NAME, sizeof info->platform - 1, info->platform,
                      NULL);
    cl_device_type type = 0;
    clGetDeviceInfo(r->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    info->is_gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
    info->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    cl_ulong mem = 0;
    clGetDeviceInfo(r->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL);
    info->global_mem_bytes = mem;
    cl_uint cu = 0;
    clGetDeviceInfo(r->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    info->compute_units = cu;
}

trt_status trt_device_enumerate(trt_device_info *infos, int max, int *count) {
    if (!count) return trt__error(TRT_ERR_INVALID_ARG, "trt_device_enumerate: count is NULL");
    dev_ref refs[64];
    int n = list_devices(refs, 64);
    for (int i = 0; i < n && i < max && infos; i++) fill_info(&refs[i], i, &infos[i]);
    *count = n;
    return TRT_OK;
}

static int contains_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return 1;
    return 0;
}

/* Picks the device for `spec` (see trt.h); -1 if none. */
static int choose(const dev_ref *refs, int n, const char *spec, trt_device_info *infos) {
    for (int i = 0; i < n; i++) fill_info(&refs[i], i, &infos[i]);
    if (!spec || !*spec) {
        for (int i = 0; i < n; i++)
            if (infos[i].is_gpu) return i;
        return n > 0 ? 0 : -1;
    }
    char *end;
    long idx = strtol(spec, &end, 10);
    if (*end == 0) return (idx >= 0 && idx < n) ? (int)idx : -1;
    for (int i = 0; i < n; i++) {
        if (strcasecmp(spec, "gpu") == 0 && infos[i].is_gpu) return i;
        if (strcasecmp(spec, "cpu") == 0 && infos[i].is_cpu) return i;
    }
    if (strcasecmp(spec, "gpu") == 0 || strcasecmp(spec, "cpu") == 0) return -1;
    for (int i = 0; i < n; i++)
        if (contains_ci(infos[i].name, spec) || contains_ci(infos[i].vendor, spec) ||
            contains_ci(infos[i].platform, spec))
            return i;
    return -1;
}

/* Test-compiles a tiny half-arithmetic kernel: NVIDIA's driver accepts cl_khr_fp16 code
 * without advertising the extension. */
static int probe_fp16(trt_device *dev) {
    static const char *src = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n"
                             "__kernel void k(__global half *a) { a[0] = a[0] * (half)2; }\n";
    cl_int err;
    cl_program p = clCreateProgramWithSource(dev->cl_ctx, 1, &src, NULL, &err);
    if (err != CL_SUCCESS) return 0;
    int ok = clBuildProgram(p, 1, &dev->id, "", NULL, NULL) == CL_SUCCESS;
    clReleaseProgram(p);
    return ok;
}

trt_status trt_device_open(const char *spec, trt_device **out) {
    if (!out) return trt__error(TRT_ERR_INVALID_ARG, "trt_device_open: out is NULL");
    *out = NULL;
    if (!spec || !*spec) spec = getenv("TRT_DEVICE");
    dev_ref refs[64];
    trt_device_info infos[64];
    int n = list_devices(refs, 64);
    if (n == 0)
        return trt__error(TRT_ERR_NO_DEVICE,
                          "no OpenCL device found: install an OpenCL driver (on Debian: "
                          "'apt install pocl-opencl-icd' for the CPU, or your GPU vendor's ICD) "
                          "and check 'clinfo -l'");
    int idx = choose(refs, n, spec, infos);
    if (idx < 0) {
        char list[2048] = "";
        size_t o = 0;
        for (int i = 0; i < n && o < sizeof list; i++)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%d: %s (%s)", i ? "; " : "", i,
                                  infos[i].name, infos[i].platform);
        return trt__error(TRT_ERR_NO_DEVICE,
                          "no OpenCL device matches '%s'; available devices: %s (choose by "
                          "index, by 'gpu'/'cpu', or by part of the name)",
                          spec ? spec : "", list);
    }
    trt_device *dev = calloc(1, sizeof *dev);
    if (!dev) return trt__error(TRT_ERR_OUT_OF_MEMORY, "out of memory opening a device");
    pthread_mutex_init(&dev->lock, NULL);
    pthread_cond_init(&dev->built, NULL);
    dev->info = infos[idx];
    dev->platform = refs[idx].platform;
    dev->id = refs[idx].device;
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->platform,
                                     0};
    dev->cl_ctx = clCreateContext(props, 1, &dev->id, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        trt_status s = trt__cl_error(err, "creating the OpenCL context");
        trt_device_free(dev);
        return s;
    }
    dev->queue = clCreateCommandQueue(dev->cl_ctx, dev->id, 0, &err);
    if (err != CL_SUCCESS) {
        trt_status s = trt__cl_error(err, "creating the OpenCL queue");
        trt_device_free(dev);
        return s;
    }
    cl_uint align_bits = 0;
    clGetDeviceInfo(dev->id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits, NULL);
    dev->mem_align = align_bits / 8 > 256 ? align_bits / 8 : 256;
    clGetDeviceInfo(dev->id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof dev->max_wg_size,
                    &dev->max_wg_size, NULL);
    dev->caps.nvidia_ptx = contains_ci(dev->info.vendor, "NVIDIA");
    char ext[4096] = "";
    clGetDeviceInfo(dev->id, CL_DEVICE_EXTENSIONS, sizeof ext - 1, ext, NULL);
    /* Only probe where the answer is in doubt: compilers such as PoCL's print failed
     * builds to stderr. */
    dev->caps.fp16 = strstr(ext, "cl_khr_fp16") != NULL || (dev->caps.nvidia_ptx && probe_fp16(dev));
    trt__log(TRT_LOG_INFO, "device %d: %s (%s, driver %s), fp16 %s", idx, dev->info.name,
             dev->info.platform, dev->info.driver_version, dev->caps.fp16 ? "yes" : "no");
    /* After the line above, so that the probe's own INFO line follows the device's. */
    trt__device_probe_caps(dev);
    *out = dev;
    return TRT_OK;
}

void trt_device_free(trt_device *dev) {
    if (!dev) return;
    for (trt_program_entry *p = dev->programs, *next; p; p = next) {
        next = p->next;
        trt__program_entry_free(p);
    }
    if (dev->queue) clReleaseCommandQueue(dev->queue);
    if (dev->cl_ctx) clReleaseContext(dev->cl_ctx);
    pthread_mutex_destroy(&dev->lock);
    pthread_cond_destroy(&dev->built);
    free(dev);
}

const trt_device_info *trt_device_get_info(const trt_device *dev) {
    return dev ? &dev->info : NULL;
}
cl_context trt_device_get_cl_context(const trt_device *dev) { return dev ? dev->cl_ctx : NULL; }
cl_device_id trt_device_get_cl_device(const trt_device *dev) { return dev ? dev->id : NULL; }
